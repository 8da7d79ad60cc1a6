import type { ReactNode } from 'react';

/** One column of a {@link DataTable}. */
export interface Column<Row> {
  /** The column's header; on a narrow screen, also the label before each of its values. */
  header: string;
  /** What the column shows of `row`. */
  cell: (row: Row) => ReactNode;
  /** The column names its rows: its cells are row headers (`th scope="row"`). */
  rowHeader?: boolean;
  /** A `data-testid` for the column's cells (one-row tables). */
  testId?: string;
}

/**
 * The console's one table shape: a caption, a header row, a row per item. On a wide screen it is
 * a plain table (scrolling sideways if it must); on a phone each row becomes a card of label and
 * value pairs (styles.css, `.data-table`). The explicit ARIA roles keep it a table to assistive
 * technology there, where `display: block` would otherwise drop the table semantics, and the
 * visible labels are left out of the cells' accessible names (the column headers name them).
 */
export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  testId,
}: {
  caption?: ReactNode;
  columns: Array<Column<Row>>;
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  testId?: string;
}) {
  return (
    <div className="data-table">
      <table role="table" data-testid={testId}>
        {caption && <caption>{caption}</caption>}
        <thead role="rowgroup">
          <tr role="row">
            {columns.map((column, i) => (
              <th key={i} role="columnheader" scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {rows.map((row) => (
            <tr key={rowKey(row)} role="row">
              {columns.map((column, i) => {
                const value = <span className="value">{column.cell(row)}</span>;
                return column.rowHeader ? (
                  <th
                    key={i}
                    role="rowheader"
                    scope="row"
                    data-label={column.header}
                    data-testid={column.testId}
                  >
                    {value}
                  </th>
                ) : (
                  <td key={i} role="cell" data-label={column.header} data-testid={column.testId}>
                    {value}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
