import type { ErrorPageData } from "../server/app.ts";
import type { PageProps } from "../runtime/types.ts";
import type { State } from "../server/state.ts";

export const title = "Error";

/** Shown for every error outside /api: 404s, 403s, 500s. */
export default function ErrorPage(
  { data, state }: PageProps<State, ErrorPageData>,
) {
  const heading = data.status === 404 ? "Not found" : `Error ${data.status}`;
  return (
    <section class="card narrow">
      <h1>{heading}</h1>
      <p>{data.message}</p>
      <p>
        <a href={state.user ? "/users" : "/login"}>
          {state.user ? "Back to your chats" : "Go to the login page"}
        </a>
      </p>
    </section>
  );
}
