import { BarChart } from "@mantine/charts";

/** One bar: a UTC day (`YYYY-MM-DD`) and its counted events. */
export interface DayBar {
  day: string;
  Events: number;
}

const countFormat = new Intl.NumberFormat("en-US");

/**
 * A user's counted events per day, drawn at once: no recharts entry animation (see the License
 * Usage charts). Loaded lazily with the first panel opened: recharts is most of the UI's weight.
 */
export function UserActivityChart({ data }: { data: readonly DayBar[] }) {
  return (
    <BarChart
      h={160}
      data={[...data]}
      dataKey="day"
      series={[{ name: "Events", color: "blue.6" }]}
      tickLine="y"
      gridAxis="y"
      valueFormatter={(value) => countFormat.format(value)}
      barProps={{ isAnimationActive: false }}
    />
  );
}
