/**
 * Server side of islands. A Preact `options.vnode` hook swaps every island component for
 * a host that renders it inside a marker element (styled `display: contents` by the app's
 * CSS: an inline style would break a strict CSP) and writes its props as JSON, so the
 * browser bundle can hydrate exactly that subtree. Pages just use `<ChatWindow … />`.
 */
import { type ComponentType, h, options, type VNode } from "preact";
import { serializeProps } from "./serialize.ts";

const islandNames = new Map<ComponentType, string>();
/** Islands rendered by the current (synchronous) render call. */
let used: Set<string> | null = null;
let nextId = 0;
/** Set while an island host creates the real island vnode, so the hook lets it through. */
let creatingInner = false;

/** Makes these components islands, keyed by their bundle names. */
export function registerIslands(islands: Map<string, ComponentType>): void {
  for (const [name, component] of islands) islandNames.set(component, name);
}

/** Runs a synchronous render, returning which islands it used. */
export function collectIslands<T>(
  render: () => T,
): { result: T; islands: Set<string> } {
  used = new Set();
  nextId = 0;
  try {
    const result = render();
    return { result, islands: used };
  } finally {
    used = null;
  }
}

function IslandHost(
  props: {
    name: string;
    component: ComponentType;
    props: Record<string, unknown>;
  },
): VNode {
  used?.add(props.name);
  const id = `island-${nextId++}`;
  creatingInner = true;
  const inner = h(props.component, props.props);
  creatingInner = false;
  const host = h("div", {
    "data-island": props.name,
    "data-island-id": id,
  }, [
    inner,
    h("script", {
      type: "application/json",
      "data-island-props": id,
      dangerouslySetInnerHTML: { __html: serializeProps(props.props) },
    }),
  ]);
  return host as unknown as VNode;
}

const previousHook = options.vnode;
options.vnode = (vnode) => {
  const name = islandNames.get(vnode.type as ComponentType);
  if (name && !creatingInner) {
    const { children: _children, ...props } = vnode.props as Record<
      string,
      unknown
    >;
    (vnode as { props: unknown }).props = {
      name,
      component: vnode.type,
      props,
    };
    vnode.type = IslandHost as ComponentType;
  }
  previousHook?.(vnode);
};
