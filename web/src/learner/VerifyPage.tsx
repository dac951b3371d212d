/** The public verification of a certificate by its code: no sign-in. */
import { useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { ApiProblem } from "../api/problem";
import { formatDate } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { ErrorMessage, Loading, PageTitle } from "../ui";

export default function VerifyPage() {
  const { code = "" } = useParams();
  const state = useAsync(() => unwrap(api.GET("/api/v1/verify/{code}", { params: { path: { code } } })), [code]);
  if (state.loading) return <Loading />;
  if (state.error instanceof ApiProblem && state.error.status === 404) {
    return (
      <>
        <PageTitle>{t("verify.title")}</PageTitle>
        <p className="state state-error" role="alert">
          {t("verify.unknown")}
        </p>
      </>
    );
  }
  if (state.error || !state.data) return <ErrorMessage error={state.error} onRetry={state.reload} />;
  const v = state.data;
  const valid = v.status === "valid";
  return (
    <>
      <PageTitle>{t("verify.title")}</PageTitle>
      <p className={valid ? "state state-ok" : "state state-error"} role="status" data-testid="verification-status">
        {valid ? t("verify.valid") : t("verify.revoked", { date: v.revokedAt ? formatDate(v.revokedAt) : "" })}
      </p>
      <dl className="facts">
        <dt>{t("verify.holder")}</dt>
        <dd>{v.holderName}</dd>
        <dt>{t("verify.course")}</dt>
        <dd>{v.courseTitle}</dd>
        <dt>{t("verify.completed")}</dt>
        <dd>{formatDate(v.completedAt)}</dd>
        <dt>{t("verify.issued")}</dt>
        <dd>{formatDate(v.issuedAt)}</dd>
        <dt>{t("verify.issuer")}</dt>
        <dd>{v.issuer}</dd>
        {v.revocationReason ? (
          <>
            <dt>{t("verify.reason")}</dt>
            <dd>{v.revocationReason}</dd>
          </>
        ) : null}
      </dl>
      <details>
        <summary>{t("verify.credential")}</summary>
        <p className="muted">{t("verify.credentialHint")}</p>
        <textarea readOnly rows={4} aria-label={t("verify.credential")} value={v.credential} />
        <p>
          <a href={v.jwksUrl}>{t("verify.keys")}</a>
        </p>
      </details>
    </>
  );
}
