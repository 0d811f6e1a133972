/** Where providers send the browser back to. */
import type { AppConfig } from "../../fresh.config.ts";

/** `<PUBLIC_URL or the request's origin>/auth/<provider>/callback`: register this URL at the provider. */
export function callbackUrl(
  config: AppConfig,
  url: URL,
  provider: string,
): string {
  const origin = config.publicUrl
    ? new URL(config.publicUrl).origin
    : url.origin;
  return `${origin}/auth/${provider}/callback`;
}
