import "./rows.css";

import type { ReactNode } from "react";

/**
 * Text in Mantine's dimmed colour. A plain span rather than Mantine's `Text`: a window of a long
 * list shows hundreds of cells, and each Mantine component has its props and styles to resolve.
 */
export function Dimmed({ children }: { children: ReactNode }) {
  return <span className="sk-dimmed">{children}</span>;
}

/**
 * A cell's value over a dimmed second line, both cut to the column's width, with the whole text
 * on hover (`title`). Plain elements, for the same reason as `Dimmed`.
 */
export function TwoLines({ first, second, title }: { first: ReactNode; second?: ReactNode; title?: string }) {
  return (
    <div className="sk-two-lines" title={title}>
      <div>{first}</div>
      {second !== undefined && <div>{second}</div>}
    </div>
  );
}
