/**
 * Bar charts of the staff areas (Recharts, imported only here, so only the staff chunks carry it).
 * Every chart is a <figure> with a caption and its numbers as a table beside it, so the figures
 * are there for screen readers and keyboard users too (the SVG itself is decoration to them).
 */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatNumber } from "../i18n/format";
import { t } from "../i18n/messages";

export interface Series<Key extends string = string> {
  key: Key;
  label: string;
  color: string;
}

/** The fields of `Row` that hold numbers. */
type NumberKey<Row> = Extract<{ [K in keyof Row]: Row[K] extends number ? K : never }[keyof Row], string>;

/** Each series is a number field of the rows (`key`), or `value` reads it. */
type SeriesValues<Row> =
  | { series: Series<NumberKey<Row>>[]; value?: undefined }
  | { series: Series[]; value: (row: Row, key: string) => number };

export type BarFigureProps<Row extends object> = SeriesValues<Row> & {
  title: string;
  description?: string;
  rows: Row[];
  /** The category of each row (the x axis, or the y axis of a horizontal chart). */
  category: (row: Row) => string;
  format?: (value: number) => string;
  horizontal?: boolean;
  stacked?: boolean;
  height?: number;
  /** Said instead of an empty chart when there are no rows. */
  empty?: string;
};

// Colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics), told apart by more than hue.
export const CHART_COLORS = ["#1f4e79", "#b35c00", "#2e7d32", "#6a1b9a", "#ad1457"] as const;

export function BarFigure<Row extends object>({
  title,
  description,
  rows,
  category,
  series,
  value,
  format = formatNumber,
  horizontal = false,
  stacked = false,
  height,
  empty,
}: BarFigureProps<Row>) {
  const data = rows.map((row) => {
    const point: Record<string, string | number> = { category: category(row) };
    for (const s of series) point[s.key] = value ? value(row, s.key) : Number(row[s.key as keyof Row]);
    return point;
  });
  const chartHeight = height ?? (horizontal ? Math.max(160, 56 + rows.length * 22 * Math.max(1, series.length)) : 260);
  if (rows.length === 0) {
    return (
      <figure className="chart">
        <figcaption>
          <strong>{title}</strong>
        </figcaption>
        <p className="state state-empty">{empty ?? t("empty.default")}</p>
      </figure>
    );
  }
  return (
    <figure className="chart">
      <figcaption>
        <strong>{title}</strong>
        {description ? <span className="muted"> — {description}</span> : null}
      </figcaption>
      <div className="chart-canvas" aria-hidden="true">
        <ResponsiveContainer width="100%" height={chartHeight}>
          <BarChart
            data={data}
            layout={horizontal ? "vertical" : "horizontal"}
            margin={{ top: 8, right: 16, bottom: 8, left: 8 }}
            accessibilityLayer={false}
          >
            <CartesianGrid strokeDasharray="3 3" stroke="#d0d4da" />
            {horizontal ? (
              <>
                <XAxis type="number" tickFormatter={(v: number) => format(v)} allowDecimals={false} stroke="#555a60" />
                <YAxis type="category" dataKey="category" width={140} interval={0} stroke="#555a60" tick={{ fontSize: 12 }} />
              </>
            ) : (
              <>
                <XAxis dataKey="category" stroke="#555a60" tick={{ fontSize: 12 }} />
                <YAxis tickFormatter={(v: number) => format(v)} allowDecimals={false} stroke="#555a60" />
              </>
            )}
            <Tooltip formatter={(v) => format(Number(v))} />
            {series.length > 1 ? <Legend /> : null}
            {series.map((s) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.label}
                fill={s.color}
                stackId={stacked ? "stack" : undefined}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <details className="chart-data">
        <summary>{t("staff.chartData")}</summary>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("staff.chartCategory")}</th>
              {series.map((s) => (
                <th key={s.key} scope="col" className="num">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.map((point, i) => (
              <tr key={`${String(point.category)}-${i}`}>
                <th scope="row">{point.category}</th>
                {series.map((s) => (
                  <td key={s.key} className="num">
                    {format(Number(point[s.key]))}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
