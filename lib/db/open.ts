/** Opens the app's Deno KV from its configuration; shared by the server and the admin task. */
import type { AppConfig } from "../../fresh.config.ts";
import { Db } from "./db.ts";

/**
 * Opens KV at the configured path, creating a local file's folder when needed. With
 * `readers`, a local file also gets that many extra connections for the inbox's reads.
 */
export async function openDb(
  config: Pick<AppConfig, "kvPath">,
  options: { readers?: number } = {},
): Promise<Db> {
  const path = config.kvPath;
  const isFile = path && path !== ":memory:" && !/^https?:\/\//.test(path);
  if (isFile && path.includes("/")) {
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  }
  return await Db.open(path, { readers: isFile ? options.readers : 0 });
}
