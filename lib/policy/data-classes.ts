/** How sensitive data is, least to most; a model's ceiling is the most sensitive it may be sent. */
export const DATA_CLASSES = ['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/**
 * The one default, wherever a data class is left out: data a caller did not classify is taken as
 * INTERNAL (never PUBLIC, which would let it go to any model), and a model registered without a
 * ceiling may be sent INTERNAL data. The catalog's migration default says the same in SQL.
 */
export const DEFAULT_DATA_CLASS: DataClass = 'INTERNAL';
