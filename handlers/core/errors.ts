// What an error says, for outcome lines and dead letters: adapters throw
// ApiError-like objects (`code`, `message`), anything else is shown as it is.

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : JSON.stringify(err);
}

export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}
