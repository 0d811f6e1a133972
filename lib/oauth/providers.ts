/** The sign-in providers this server has configured, from `AppConfig` (see README). */
import type { AppConfig } from "../../fresh.config.ts";
import { DomainError } from "../errors.ts";
import { createGitHubProvider } from "./github.ts";
import { createOidcProvider } from "./oidc.ts";
import type { OAuthProvider, ProviderId } from "./types.ts";

/** A provider as the login page's buttons need it. */
export interface ProviderLink {
  id: ProviderId;
  label: string;
}

// One set per configuration object, so discovery and key caches live as long as the app
// (tests start many apps in one process, each with its own provider).
const registry = new WeakMap<AppConfig, OAuthProvider[]>();

function providersOf(config: AppConfig): OAuthProvider[] {
  let providers = registry.get(config);
  if (!providers) {
    providers = [];
    if (config.github) providers.push(createGitHubProvider(config.github));
    if (config.oidc) providers.push(createOidcProvider(config.oidc));
    registry.set(config, providers);
  }
  return providers;
}

/** The configured providers, in button order. */
export function listProviders(config: AppConfig): ProviderLink[] {
  return providersOf(config).map(({ id, label }) => ({ id, label }));
}

/** The provider with this id; 404 when the id is unknown or the provider is not configured. */
export function getProvider(config: AppConfig, id: string): OAuthProvider {
  const provider = providersOf(config).find((p) => p.id === id);
  if (!provider) {
    throw new DomainError(
      "not_found",
      "unknown_provider",
      `There is no sign-in provider "${id}" here`,
    );
  }
  return provider;
}
