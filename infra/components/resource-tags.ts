import * as pulumi from "@pulumi/pulumi";

/** Tags a component puts on each of its taggable resources. */
export type ResourceTags = pulumi.Input<Record<string, pulumi.Input<string>>>;
