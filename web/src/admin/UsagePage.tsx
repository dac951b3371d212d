/** The tenant's metered usage by month (the billing route, one read per month), with charts. */
import { api, unwrap } from "../api/client";
import { formatDateTime, formatNumber } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { BarFigure, CHART_COLORS } from "../staff/charts";
import { Kpis } from "../staff/tables";
import { AsyncView, PageTitle } from "../ui";
import { formatBytes, monthLabel, monthsToShow, sortByMonth } from "./usage";

async function loadUsage() {
  const current = await unwrap(api.GET("/api/v1/usage"));
  const months = monthsToShow([...current.months, current.usage.month]);
  const rows = await Promise.all(
    months.map((month) =>
      month === current.usage.month ? current.usage : unwrap(api.GET("/api/v1/usage", { params: { query: { month } } })).then((r) => r.usage),
    ),
  );
  return { current: current.usage, rows: sortByMonth(rows) };
}

export default function UsagePage() {
  const usage = useAsync(loadUsage, []);
  return (
    <>
      <PageTitle subtitle={t("admin.usage.intro")}>{t("admin.nav.usage")}</PageTitle>
      <AsyncView state={usage}>
        {({ current, rows }) => (
          <>
            <h2>{t("admin.usage.thisMonth", { month: monthLabel(current.month) })}</h2>
            <Kpis
              items={[
                [formatNumber(current.activeLearners), t("admin.usage.activeLearners")],
                [formatNumber(current.enrollments), t("admin.usage.enrollments")],
                [formatBytes(current.storageBytes), t("admin.usage.storage")],
                [formatNumber(current.videoMinutes), t("admin.usage.videoMinutes")],
                [formatNumber(current.apiRequests), t("admin.usage.apiRequests")],
                [formatNumber(current.requestCharges), t("admin.usage.requestCharges")],
              ]}
            />
            {current.storageMeasuredAt ? (
              <p className="muted">
                {t("admin.usage.storageMeasured", { at: formatDateTime(current.storageMeasuredAt), peak: formatBytes(current.storagePeakBytes) })}
              </p>
            ) : null}
            <div className="charts">
              <BarFigure
                title={t("admin.usage.learnersChart")}
                rows={rows}
                category={(r) => monthLabel(r.month)}
                series={[
                  { key: "activeLearners", label: t("admin.usage.activeLearners"), color: CHART_COLORS[0] },
                  { key: "enrollments", label: t("admin.usage.enrollments"), color: CHART_COLORS[1] },
                ]}
              />
              <BarFigure
                title={t("admin.usage.videoChart")}
                rows={rows}
                category={(r) => monthLabel(r.month)}
                series={[{ key: "videoMinutes", label: t("admin.usage.videoMinutes"), color: CHART_COLORS[2] }]}
              />
              <BarFigure
                title={t("admin.usage.storageChart")}
                rows={rows}
                category={(r) => monthLabel(r.month)}
                series={[{ key: "storagePeakBytes", label: t("admin.usage.storagePeak"), color: CHART_COLORS[3] }]}
                format={formatBytes}
              />
              <BarFigure
                title={t("admin.usage.requestsChart")}
                rows={rows}
                category={(r) => monthLabel(r.month)}
                series={[{ key: "apiRequests", label: t("admin.usage.apiRequests"), color: CHART_COLORS[4] }]}
              />
            </div>
          </>
        )}
      </AsyncView>
    </>
  );
}
