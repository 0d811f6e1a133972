/**
 * File routes: how `routes/` and `islands/` file names become URL patterns, special files
 * and island names. Shared by the router and the build (which writes `fresh.gen.ts`).
 */

/** `./routes/chat/[username].tsx` → `/chat/:username`; `index` files map to their folder. */
export function routePattern(file: string): string {
  const path = file.replace(/^\.\/routes/, "").replace(/\.(tsx|ts)$/, "")
    .replace(/\/index$/, "");
  const pattern = path.split("/").map((segment) =>
    segment.replace(/^\[(\w+)\]$/, ":$1")
  ).join("/");
  return pattern === "" ? "/" : pattern;
}

/** `_app`, `_error` and `_middleware` files are special; other `_` files are private. */
export function specialName(file: string): string | null {
  const base = file.split("/").pop()!.replace(/\.(tsx|ts)$/, "");
  return base.startsWith("_") ? base : null;
}

/** Static segments sort before dynamic ones, so `/users/new` wins over `/users/:id`. */
export function compareRoutes(a: string, b: string): number {
  const sa = a.split("/");
  const sb = b.split("/");
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const da = sa[i].startsWith(":");
    const db = sb[i].startsWith(":");
    if (da !== db) return da ? 1 : -1;
  }
  return sb.length - sa.length || a.localeCompare(b);
}

/** `./islands/ChatWindow.tsx` → `ChatWindow`. */
export function islandName(file: string): string {
  return file.split("/").pop()!.replace(/\.(tsx|ts)$/, "");
}
