// A pull-request comment is read by everyone who can see the repository:
// people's email addresses and phone numbers never appear in it. Applied to
// every value the comment shows and once more to the whole comment.

/** `name@host.tld` (also inside URLs and JSON). */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/**
 * Phone numbers: E.164 (`+` and 7–15 digits, separators allowed), and
 * mainland China mobile numbers written without a country code
 * (`1[3-9]` + 9 digits, not part of a longer number).
 */
const PHONE = /\+\d(?:[\s-]?\d){6,14}(?!\d)|(?<![\d.])(?:86)?1[3-9]\d{9}(?![\d])/g;

export const MASKED_EMAIL = "[email]";
export const MASKED_PHONE = "[phone]";

export function maskContacts(text: string): string {
  return text.replace(EMAIL, MASKED_EMAIL).replace(PHONE, MASKED_PHONE);
}
