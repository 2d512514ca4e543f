/**
 * Test volumes: the small one in `npm test`, the full size with `SAMSA_SOAK=1`
 * (`npm run soak -- connectors`).
 */
export const SOAK = process.env.SAMSA_SOAK === '1';

export function volume(small: number, full: number): number {
  return SOAK ? full : small;
}
