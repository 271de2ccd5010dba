// Known STAC API providers: default roots and their quirks. Every URL is overridable (tests point
// them at loopback servers).

import type { StacProvider } from './types.js';

export interface ProviderDefaults {
  url?: string;
  /** Largest page size the server accepts; larger requested limits are lowered to it. */
  maxLimit?: number;
}

export const PROVIDERS: Record<StacProvider, ProviderDefaults> = {
  static: {},
  'earth-search': { url: 'https://earth-search.aws.element84.com/v1' },
  // PC caps `limit` at 1000 (pystac-client #115); asking for more would silently page at 1000 anyway.
  'planetary-computer': { url: 'https://planetarycomputer.microsoft.com/api/stac/v1', maxLimit: 1000 },
  'stac-api': {},
};
