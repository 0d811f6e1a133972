/**
 * `memo()` without preact/compat (which would patch Preact's global options and grow the
 * island bundle): a component that re-renders only when a prop changes identity.
 */
import {
  Component,
  type ComponentChildren,
  type FunctionComponent,
  h,
} from "preact";

function shallowEqual(a: object, b: object): boolean {
  const ak = Object.keys(a) as Array<keyof typeof a>;
  const bk = Object.keys(b);
  return ak.length === bk.length && ak.every((k) => a[k] === b[k]);
}

/** Wraps `render` so it is skipped while its props are shallowly equal to the last ones. */
export function memo<P extends object>(
  render: FunctionComponent<P>,
): FunctionComponent<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      return !shallowEqual(this.props, next);
    }
    override render(): ComponentChildren {
      return h(render, this.props);
    }
  }
  (Memo as { displayName?: string }).displayName = `Memo(${
    render.displayName ?? render.name
  })`;
  return Memo as unknown as FunctionComponent<P>;
}
