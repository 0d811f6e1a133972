import type { AppProps } from "../runtime/types.ts";
import type { State } from "../server/state.ts";

/** The document around every page: head, the top bar with the signed-in user, main. */
export default function App({ Component, state, title }: AppProps<State>) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{title ? `${title} · Natter` : "Natter"}</title>
        <link rel="stylesheet" href={state.assetUrl("/styles.css")} />
        <link
          rel="icon"
          href={state.assetUrl("/favicon.svg")}
          type="image/svg+xml"
        />
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="topbar">
          <a class="brand" href={state.user ? "/users" : "/login"}>Natter</a>
          {state.user && (
            <form method="post" action="/logout" class="topbar-user">
              <span>
                Signed in as <strong>{state.user.username}</strong>
              </span>
              <a href="/account" class="topbar-link">Account</a>
              <a href="/settings" class="topbar-link">Privacy</a>
              <button type="submit" class="link-button">Log out</button>
            </form>
          )}
        </header>
        <main id="main">
          <Component />
        </main>
      </body>
    </html>
  );
}
