/**
 * Browser side of islands: finds each marker the server rendered for an island, reads its
 * JSON props and hydrates the component in place. Bundled into every island entry.
 */
import { type ComponentType, h, hydrate } from "preact";

/** Hydrates every server-rendered instance of one island. */
export function hydrateIsland(name: string, component: ComponentType): void {
  const hosts = document.querySelectorAll<HTMLElement>(
    `[data-island="${name}"]`,
  );
  for (const host of hosts) {
    const id = host.dataset.islandId;
    const script = host.querySelector(`script[data-island-props="${id}"]`);
    const props = JSON.parse(script?.textContent ?? "{}");
    // The props script is rendered after the island's own markup; move it out of the
    // way so Preact hydrates against exactly the island's nodes.
    script?.remove();
    hydrate(h(component, props), host);
  }
}
