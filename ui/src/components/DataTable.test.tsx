import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { createColumnHelper } from "@tanstack/react-table";
import { describe, expect, it, vi } from "vitest";

import { layOutListViewports } from "../test/layout";
import { renderWithProviders } from "../test/render";
import { DataTable, type DataTableProps, ROW_HEIGHT } from "./DataTable";

vi.mock("../lib/download", () => ({ downloadTextFile: vi.fn() }));
const { downloadTextFile } = await import("../lib/download");

interface Person {
  id: number;
  name: string;
  email: string;
  kind: "Internal" | "External";
  admin: boolean;
}

const column = createColumnHelper<Person>();
const columns = [
  column.accessor("name", { header: "Name" }),
  column.accessor("email", { header: "Email" }),
  column.accessor("kind", { header: "Kind", meta: { filter: {} } }),
  column.accessor("admin", { header: "Admin", cell: (c) => (c.getValue() ? "Admin" : "") }),
  column.display({ id: "actions", header: "Actions", cell: () => <button type="button">Act</button> }),
];

const PEOPLE: Person[] = [
  { id: 1, name: "Cleo", email: "cleo@example.com", kind: "Internal", admin: false },
  { id: 2, name: "Ann", email: "ann@example.com", kind: "External", admin: true },
  { id: 3, name: "Bob, Jr.", email: "bob@contractors.example", kind: "External", admin: false },
  { id: 4, name: "=HYPERLINK(\"x\")", email: "eve@example.com", kind: "Internal", admin: false },
];

function many(count: number): Person[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    name: `User ${String(i).padStart(5, "0")}`,
    email: `user${i}@example.com`,
    kind: i % 3 === 0 ? "External" : "Internal",
    admin: i % 100 === 0,
  }));
}

function renderTable(props: Partial<DataTableProps<Person>> = {}) {
  return renderWithProviders(
    <DataTable<Person>
      label="People"
      data={PEOPLE}
      columns={columns}
      getRowId={(p) => String(p.id)}
      empty={<p>Nobody here</p>}
      exportName="Acme - People"
      data-testid="people"
      {...props}
    />,
  );
}

const table = () => screen.getByRole("table", { name: "People" });
/** The data rows in the DOM, without the header row. */
const bodyRows = () => within(table()).getAllByRole("row").slice(1);
const names = () => bodyRows().map((row) => within(row).getAllByRole("cell")[0]!.textContent);

describe("DataTable", () => {
  it("renders only the rows in view of 50,000, and others as it scrolls", async () => {
    renderTable({ data: many(50_000) });
    expect(table()).toHaveAttribute("aria-rowcount", "50001");
    expect(screen.getByTestId("row-count")).toHaveTextContent("50,000 rows");
    const rendered = bodyRows();
    expect(rendered.length).toBeGreaterThan(5);
    expect(rendered.length).toBeLessThan(60);
    expect(rendered[0]).toHaveTextContent("User 00000");

    const viewport = screen.getByTestId("table-viewport");
    viewport.scrollTop = 30_000 * ROW_HEIGHT;
    fireEvent.scroll(viewport);
    await waitFor(() => expect(names()).toContain("User 30000"));
    expect(names()).not.toContain("User 00000");
    expect(bodyRows().length).toBeLessThan(60);
    // The spacer rows keep the full height scrollable.
    expect(bodyRows()[0]).toHaveAttribute("aria-rowindex");
  });

  it("makes room for a header that wraps and for a horizontal scrollbar, so no row is hidden", () => {
    // Layout is not computed here: the header's laid-out height and the scrollbar's are stubbed.
    vi.spyOn(HTMLTableSectionElement.prototype, "getBoundingClientRect").mockReturnValue(new DOMRect(0, 0, 800, 90));
    const viewportOf = (el: HTMLElement) => el.dataset.testid === "table-viewport";
    vi.spyOn(HTMLElement.prototype, "offsetHeight", "get").mockImplementation(function (this: HTMLElement) {
      return viewportOf(this) ? 317 : 0;
    });
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockImplementation(function (this: HTMLElement) {
      return viewportOf(this) ? 300 : 0;
    });
    renderTable();
    // 90 (header) + 4 rows of 40 + 17 (scrollbar) + 2 (borders).
    expect(screen.getByTestId("table-viewport")).toHaveStyle({ height: `${90 + 4 * ROW_HEIGHT + 17 + 2}px` });
  });

  it("sorts from a column's header, by mouse and by keyboard", async () => {
    const { user } = renderTable();
    expect(names()).toEqual(["Cleo", "Ann", "Bob, Jr.", "=HYPERLINK(\"x\")"]);
    const header = within(table()).getByRole("columnheader", { name: "Name" });
    await user.click(within(header).getByRole("button", { name: "Name" }));
    expect(header).toHaveAttribute("aria-sort", "ascending");
    expect(names()).toEqual(["=HYPERLINK(\"x\")", "Ann", "Bob, Jr.", "Cleo"]);

    within(header).getByRole("button", { name: "Name" }).focus();
    await user.keyboard("{Enter}");
    expect(header).toHaveAttribute("aria-sort", "descending");
    expect(names()).toEqual(["Cleo", "Bob, Jr.", "Ann", "=HYPERLINK(\"x\")"]);
    // A display column (actions) has no sort button.
    expect(
      within(within(table()).getByRole("columnheader", { name: "Actions" })).queryByRole("button"),
    ).not.toBeInTheDocument();
  });

  it("searches every column, case-insensitively, and says how many rows match", async () => {
    const { user } = renderTable();
    await user.type(screen.getByRole("textbox", { name: "Search" }), "EXAMPLE.COM");
    await waitFor(() => expect(names()).toEqual(["Cleo", "Ann", "=HYPERLINK(\"x\")"]));
    expect(screen.getByTestId("row-count")).toHaveTextContent("3 of 4 rows");

    await user.clear(screen.getByRole("textbox", { name: "Search" }));
    await user.type(screen.getByRole("textbox", { name: "Search" }), "nobody");
    expect(await screen.findByTestId("table-no-match")).toHaveTextContent("No rows match");
    await user.click(screen.getByRole("button", { name: "Clear search and filters" }));
    await waitFor(() => expect(names()).toHaveLength(4));
  });

  it("filters by a column's values", async () => {
    const { user } = renderTable();
    await user.click(screen.getByRole("textbox", { name: "Kind" }));
    await user.click(await screen.findByRole("option", { name: "External" }));
    await waitFor(() => expect(names()).toEqual(["Ann", "Bob, Jr."]));
    expect(screen.getByTestId("row-count")).toHaveTextContent("2 of 4 rows");
  });

  it("exports the rows as filtered and sorted to CSV, quoted, formulas neutralized", async () => {
    const { user } = renderTable();
    await user.click(within(table()).getByRole("button", { name: "Name" }));
    await user.type(screen.getByRole("textbox", { name: "Search" }), "e");
    await user.click(screen.getByRole("textbox", { name: "Kind" }));
    await user.click(await screen.findByRole("option", { name: "Internal" }));
    await waitFor(() => expect(names()).toEqual(["=HYPERLINK(\"x\")", "Cleo"]));

    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(downloadTextFile).toHaveBeenCalledTimes(1);
    const [fileName, csv] = vi.mocked(downloadTextFile).mock.calls[0]!;
    expect(fileName).toBe("Acme - People.csv");
    expect(csv).toBe(
      [
        "Name,Email,Kind,Admin",
        `"'=HYPERLINK(""x"")",eve@example.com,Internal,No`,
        "Cleo,cleo@example.com,Internal,No",
      ].join("\r\n"),
    );
  });

  it("neutralizes every cell that begins like a formula, multi-line ones too", async () => {
    const hostile: Person[] = [
      { id: 5, name: "=cmd|' /C calc'!A0\nsecond line", email: "@SUM(A1:A9)", kind: "Internal", admin: false },
      { id: 6, name: "-2+3", email: "+1-555-0100", kind: "External", admin: false },
      { id: 7, name: "first line\n=2+2", email: "a=b@example.com", kind: "Internal", admin: false },
    ];
    const { user } = renderTable({ data: hostile });
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    const csv = vi.mocked(downloadTextFile).mock.calls.at(-1)![1];
    expect(csv).toBe(
      [
        "Name,Email,Kind,Admin",
        `"'=cmd|' /C calc'!A0\nsecond line",'@SUM(A1:A9),Internal,No`,
        "'-2+3,'+1-555-0100,External,No",
        `"first line\n=2+2",a=b@example.com,Internal,No`,
      ].join("\r\n"),
    );
  });

  it("quotes values with commas", async () => {
    const { user } = renderTable({ data: [PEOPLE[2]!] });
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    const csv = vi.mocked(downloadTextFile).mock.calls.at(-1)![1];
    expect(csv).toBe(`Name,Email,Kind,Admin\r\n"Bob, Jr.",bob@contractors.example,External,No`);
  });

  it("has loading, empty and error states", async () => {
    const loading = renderTable({ data: undefined, isLoading: true });
    expect(screen.getByTestId("table-loading")).toBeInTheDocument();
    loading.unmount();
    const onRetry = vi.fn();
    renderTable({ data: undefined, error: { code: "Database", message: "The database is locked.", field: null }, onRetry });
    expect(screen.getByRole("alert")).toHaveTextContent("The database is locked.");
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(onRetry).toHaveBeenCalled();
  });

  describe("keyboard", () => {
    /** The row that has focus, by its first cell. */
    const focusedName = () => (document.activeElement as HTMLElement).querySelector("td")?.textContent;
    const tabStops = () => bodyRows().filter((row) => row.tabIndex === 0);

    it("reaches the rows with Tab, and moves between them with the arrow keys, Home and End", async () => {
      layOutListViewports();
      const { user } = renderTable({ data: many(5_000) });
      // Tab: the search, the filter, Export CSV, the sort buttons of the four data columns, then the list.
      screen.getByRole("button", { name: "Export CSV" }).focus();
      await user.tab();
      await user.tab();
      await user.tab();
      await user.tab();
      await user.tab();
      expect(focusedName()).toBe("User 00000");
      expect(document.activeElement).toHaveAttribute("aria-rowindex", "2");
      // One tab stop in the list: the focused row; every other row is -1.
      expect(tabStops()).toEqual([document.activeElement]);
      expect(bodyRows().filter((row) => row.tabIndex === -1)).toHaveLength(bodyRows().length - 1);

      await user.keyboard("{ArrowDown}{ArrowDown}");
      expect(focusedName()).toBe("User 00002");
      expect(tabStops()).toEqual([document.activeElement]);
      await user.keyboard("{ArrowUp}");
      expect(focusedName()).toBe("User 00001");
      await user.keyboard("{ArrowUp}{ArrowUp}");
      expect(focusedName()).toBe("User 00000");

      // End: the last of 5,000, scrolled into the rendered window first.
      await user.keyboard("{End}");
      await waitFor(() => expect(focusedName()).toBe("User 04999"));
      expect(names()).not.toContain("User 00000");
      expect(tabStops()).toEqual([document.activeElement]);
      await user.keyboard("{ArrowDown}");
      expect(focusedName()).toBe("User 04999");
      await user.keyboard("{Home}");
      await waitFor(() => expect(focusedName()).toBe("User 00000"));
      await user.keyboard("{PageDown}");
      await waitFor(() => expect(focusedName()).not.toBe("User 00000"));
      expect(tabStops()).toEqual([document.activeElement]);

      // Tab goes through that row's controls, then out of the list; Shift+Tab comes back to the row.
      const row = document.activeElement as HTMLElement;
      await user.tab();
      expect(within(row).getByRole("button", { name: "Act" })).toHaveFocus();
      await user.tab();
      expect(document.body).toHaveFocus();
      screen.getByRole("button", { name: "Export CSV" }).focus();
      for (let i = 0; i < 5; i++) await user.tab();
      expect(row).toHaveFocus();
    });

    it("gives the focus back to the row when it scrolls out and back, and never takes it from elsewhere", async () => {
      const { user } = renderTable({ data: many(5_000) });
      const viewport = screen.getByTestId("table-viewport");
      const scrollTo = async (row: number) => {
        viewport.scrollTop = row * ROW_HEIGHT;
        fireEvent.scroll(viewport);
        await waitFor(() => expect(names()).toContain(`User ${String(row).padStart(5, "0")}`));
      };
      bodyRows()[0]!.focus();
      await user.keyboard("{ArrowDown}");
      expect(focusedName()).toBe("User 00001");

      // Scrolled out of the window, the row is gone and the focus with it; back, it has it again.
      await scrollTo(3_000);
      expect(document.body).toHaveFocus();
      expect(tabStops()).toHaveLength(1);
      await scrollTo(0);
      await waitFor(() => expect(focusedName()).toBe("User 00001"));

      // Focus moved elsewhere while the row was out of the window stays there.
      await scrollTo(3_000);
      const search = screen.getByRole("textbox", { name: "Search" });
      search.focus();
      await scrollTo(0);
      expect(search).toHaveFocus();
    });

    it("opens a row with Enter and selects it with Space, where the list has these", async () => {
      const opened: string[] = [];
      const toggled: string[] = [];
      const { user } = renderTable({
        onRowActivate: (p) => opened.push(p.name),
        onRowToggle: (p) => toggled.push(p.name),
        isRowSelected: (p) => p.id === 2,
      });
      bodyRows()[0]!.focus();
      await user.keyboard("{ArrowDown}{Enter}");
      expect(opened).toEqual(["Ann"]);
      await user.keyboard(" ");
      expect(toggled).toEqual(["Ann"]);
      expect(bodyRows()[1]).toHaveAttribute("aria-selected", "true");
      expect(bodyRows()[0]).toHaveAttribute("aria-selected", "false");
      // Keys on a control inside the row are the control's.
      within(bodyRows()[1]!).getByRole("button", { name: "Act" }).focus();
      await user.keyboard("{Enter}{ArrowDown}");
      expect(opened).toEqual(["Ann"]);
      expect(within(bodyRows()[1]!).getByRole("button", { name: "Act" })).toHaveFocus();
    });

    it("has no Enter or Space action on a list without them", async () => {
      const { user } = renderTable();
      bodyRows()[0]!.focus();
      await user.keyboard("{Enter} ");
      expect(bodyRows()[0]).toHaveFocus();
      expect(bodyRows()[0]).not.toHaveAttribute("aria-selected");
    });
  });

  it("shows the empty state for no rows", () => {
    renderTable({ data: [] });
    expect(screen.getByText("Nobody here")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });
});
