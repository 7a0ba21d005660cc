import { builder } from '../builder.js';

/** The root query type; its fields live with their nouns in this folder. */
builder.queryType({});

/** The root mutation type; its fields live with their nouns in this folder. */
builder.mutationType({});
