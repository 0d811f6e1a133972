/**
 * Sign-in with GitHub (or GitHub Enterprise Server): OAuth 2.0 with PKCE through arctic's
 * generic client (its `GitHub` class sends no PKCE), then the profile from `/user`.
 */
import { CodeChallengeMethod, OAuth2Client } from "arctic";
import { z } from "zod";
import { DomainError } from "../errors.ts";
import { exchangeCode, fetchProviderJson } from "./fetch.ts";
import type { OAuthProvider } from "./types.ts";

const LABEL = "GitHub";

const gitHubUserSchema = z.object({
  id: z.number().int(),
  login: z.string().min(1),
  email: z.string().nullish(),
});

/** Where GitHub's web and API endpoints are, for github.com or an Enterprise Server URL. */
export function gitHubEndpoints(url?: string) {
  const web = url ? url.replace(/\/+$/, "") : "https://github.com";
  return {
    web,
    authorize: `${web}/login/oauth/authorize`,
    token: `${web}/login/oauth/access_token`,
    api: url ? `${web}/api/v3` : "https://api.github.com",
  };
}

/** The GitHub provider for one OAuth app's credentials. */
export function createGitHubProvider(
  options: { clientId: string; clientSecret: string; url?: string },
): OAuthProvider {
  const endpoints = gitHubEndpoints(options.url);
  const client = (redirectUri: string) =>
    new OAuth2Client(options.clientId, options.clientSecret, redirectUri);
  return {
    id: "github",
    label: LABEL,
    authorizationUrl(request) {
      // No scope: the public profile is all we read.
      return Promise.resolve(
        client(request.redirectUri).createAuthorizationURLWithPKCE(
          endpoints.authorize,
          request.state,
          CodeChallengeMethod.S256,
          request.codeVerifier,
          [],
        ),
      );
    },
    async identify(request) {
      const tokens = await exchangeCode(client(request.redirectUri), {
        tokenEndpoint: endpoints.token,
        code: request.code,
        codeVerifier: request.codeVerifier,
        label: LABEL,
      });
      const body = await fetchProviderJson(`${endpoints.api}/user`, {
        label: LABEL,
        headers: {
          authorization: `Bearer ${tokens.accessToken()}`,
          accept: "application/vnd.github+json",
          "user-agent": "natter",
        },
      });
      const parsed = gitHubUserSchema.safeParse(body);
      if (!parsed.success) {
        throw new DomainError(
          "upstream",
          "provider_bad_profile",
          "Sign-in failed: GitHub sent a profile we could not read",
        );
      }
      const user = parsed.data;
      return {
        // The numeric id, not the login: logins can be renamed and then taken by someone
        // else. Scoped by server, as an Enterprise Server's ids overlap github.com's.
        subject: `${endpoints.web}|${user.id}`,
        login: user.login,
        usernameHints: [user.login, user.email?.split("@")[0] ?? ""],
      };
    },
  };
}
