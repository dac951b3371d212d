/** Sign-in: the embedded profile's dev users (dev mode), or Microsoft Entra ID (entra mode). */
import { useEffect, useState, type FormEvent } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";
import { listDevUsers, useSession, type DevUser } from "../auth/session";
import { config, entraConfigured } from "../config";
import { t } from "../i18n/messages";
import { PublicFrame } from "../layout";
import { useAsync } from "../lib/useAsync";
import { AsyncView, ErrorMessage, Field, Loading, PageTitle } from "../ui";

function target(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === "string" && from.startsWith("/") && !from.startsWith("//") ? from : "/";
}

function DevSignIn() {
  const { signInDev } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const users = useAsync(listDevUsers, []);
  const [choice, setChoice] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    // The demo learner first (the seed's), else any learner, else the first user.
    const list = users.data ?? [];
    const first = list.find((u) => u.userId === "learner") ?? list.find((u) => u.roles.includes("Learner")) ?? list[0];
    if (first && !choice) setChoice(`${first.tenantId}/${first.userId}`);
  }, [users.data, choice]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const [tenantId, userId] = choice.split("/");
    if (!tenantId || !userId) return;
    setBusy(true);
    setError(null);
    try {
      await signInDev(tenantId, userId);
      navigate(target(location.state), { replace: true });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <>
      <p>{t("signIn.intro")}</p>
      <p className="muted">{t("signIn.devOnly")}</p>
      <AsyncView state={users} isEmpty={(list) => list.length === 0} empty={t("signIn.noUsers")}>
        {(list: DevUser[]) => (
          <form onSubmit={submit} className="form">
            <Field label={t("signIn.user")}>
              {(props) => (
                <select {...props} value={choice} onChange={(e) => setChoice(e.target.value)}>
                  {list.map((u) => (
                    <option key={`${u.tenantId}/${u.userId}`} value={`${u.tenantId}/${u.userId}`}>
                      {t("signIn.userOption", {
                        name: u.displayName,
                        userId: u.userId,
                        roles: u.roles.join(", "),
                        tenant: u.tenantName,
                      })}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <ErrorMessage error={error} />
            <button type="submit" disabled={busy || !choice}>
              {busy ? t("signIn.submitting") : t("signIn.submit")}
            </button>
          </form>
        )}
      </AsyncView>
    </>
  );
}

function EntraSignIn() {
  const { signInEntra } = useSession();
  const [error, setError] = useState<unknown>(null);
  if (!entraConfigured()) return <ErrorMessage error={new Error(t("signIn.entraMisconfigured"))} />;
  return (
    <>
      <p>{t("signIn.entraIntro")}</p>
      <ErrorMessage error={error} />
      <button type="button" onClick={() => signInEntra().catch(setError)}>
        {t("signIn.entraSubmit")}
      </button>
    </>
  );
}

export default function SignInPage() {
  const { ready, session, expired } = useSession();
  const location = useLocation();
  if (!ready) return <Loading />;
  if (session) return <Navigate to={target(location.state)} replace />;
  return (
    <PublicFrame narrow>
      <PageTitle>{t("signIn.title")}</PageTitle>
      {expired ? <p role="status">{t("signIn.sessionExpired")}</p> : null}
      {config.authMode === "entra" ? <EntraSignIn /> : <DevSignIn />}
    </PublicFrame>
  );
}
