import { act, fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { layOutListViewports } from "../test/layout";
import { renderWithProviders } from "../test/render";
import { type WindowedColumn, WindowedTable } from "./WindowedTable";

interface Row {
  id: number;
}

/** Ten columns of 200 px; the eighth holds a button, to tab to. */
const COLUMNS: WindowedColumn<Row, never>[] = Array.from({ length: 10 }, (_, c) => ({
  id: `c${c}`,
  header: `Column ${c}`,
  width: 200,
  focusable: c === 7,
  cell: (row: Row) => (c === 7 ? <button type="button">Act on {row.id}</button> : `r${row.id}c${c}`),
}));

const ROWS: Row[] = Array.from({ length: 5 }, (_, id) => ({ id }));

function renderTable(viewportWidth: number) {
  layOutListViewports();
  const clientWidth = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientWidth")!.get!;
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockImplementation(function (this: HTMLElement) {
    return this.dataset.testid === "table-viewport" ? viewportWidth : clientWidth.call(this);
  });
  return renderWithProviders(
    <WindowedTable<Row, never>
      label="Wide list"
      windows={{ rowAt: (i) => ROWS[i], showRange: () => {}, isStale: false }}
      total={ROWS.length}
      columns={COLUMNS}
      getRowId={(row) => row.id}
      resetKey=""
    />,
  );
}

/** The header row's cells: a column's name, or a spacer's width. */
function headerCells(): string[] {
  return [...screen.getByRole("table").querySelectorAll("thead th")].map((th) =>
    th.getAttribute("aria-hidden") ? `spacer ${(th as HTMLElement).style.width}` : th.textContent!,
  );
}

describe("WindowedTable's columns", () => {
  it("renders the columns in view sideways, one more each side and the focusable ones; spacers stand for the rest", async () => {
    renderTable(300);
    await screen.findByText("r0c0");
    expect(headerCells()).toEqual(["Column 0", "Column 1", "Column 2", "spacer 800px", "Column 7", "spacer 400px"]);
    // Every row has the header's cells (spacers hidden from assistive technology), the focusable
    // column's button included.
    const firstRow = screen.getAllByRole("row")[1]!;
    expect(firstRow.querySelectorAll("td")).toHaveLength(6);
    expect(within(firstRow).getAllByRole("cell")).toHaveLength(4);
    expect(within(firstRow).getByRole("button", { name: "Act on 0" })).toBeInTheDocument();
    expect(screen.queryByText("r0c5")).not.toBeInTheDocument();
    // Assistive technology is told which columns these are, of how many.
    expect(screen.getByRole("table")).toHaveAttribute("aria-colcount", "10");
    expect(within(firstRow).getByText("r0c2")).toHaveAttribute("aria-colindex", "3");

    const viewport = screen.getByTestId("table-viewport");
    Object.defineProperty(viewport, "scrollLeft", { value: 1200, configurable: true });
    act(() => void fireEvent.scroll(viewport));
    expect(await screen.findByText("r0c8")).toBeInTheDocument();
    expect(headerCells()).toEqual(["spacer 1000px", "Column 5", "Column 6", "Column 7", "Column 8", "spacer 200px"]);
    expect(screen.queryByText("r0c0")).not.toBeInTheDocument();
  });

  it("keeps the columns of its first render (the window's width) when the viewport turns out a little narrower", async () => {
    // The first render guesses the window's width (1,024 px here): columns 0–5 in view and one
    // more; the viewport is then 500 px wide (0–3 and 7 needed), and the rows are not rendered
    // again to drop three columns.
    renderTable(500);
    await screen.findByText("r0c0");
    expect(headerCells()).toEqual([...COLUMNS.slice(0, 8).map((c) => c.header), "spacer 400px"]);
  });

  it("renders every column where the viewport's width is not known", async () => {
    renderTable(0);
    await screen.findByText("r0c9");
    expect(headerCells()).toEqual(COLUMNS.map((c) => c.header));
  });
});
