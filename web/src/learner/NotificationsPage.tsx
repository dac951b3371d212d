/** The notifications, live: new ones appear without a reload (the stream), each can be marked read. */
import { useState } from "react";
import { Link } from "react-router";
import { formatDateTime } from "../i18n/format";
import { t, type MessageKey } from "../i18n/messages";
import { Empty, ErrorMessage, Loading, PageTitle } from "../ui";
import { useNotifications } from "./notifications/NotificationsProvider";

/** A notification's link, when it points inside this app or the API (never elsewhere). */
function internalLink(link: string | null | undefined): string | null {
  if (!link || !link.startsWith("/") || link.startsWith("//")) return null;
  return link;
}

export default function NotificationsPage() {
  const { items, unread, mode, loading, error, markRead, markAllRead } = useNotifications();
  const [actionError, setActionError] = useState<unknown>(null);
  const run = (action: () => Promise<void>) => {
    setActionError(null);
    action().catch(setActionError);
  };
  return (
    <>
      <PageTitle subtitle={t(`notifications.mode.${mode}` as MessageKey)}>{t("nav.notifications")}</PageTitle>
      <div className="form-inline">
        <p role="status" data-testid="unread-count">
          {t("notifications.unread", { count: unread })}
        </p>
        <button type="button" className="button-secondary" disabled={unread === 0} onClick={() => run(markAllRead)}>
          {t("notifications.markAllRead")}
        </button>
      </div>
      <ErrorMessage error={error ?? actionError} />
      {loading ? <Loading /> : null}
      {!loading && items.length === 0 ? <Empty>{t("notifications.none")}</Empty> : null}
      <ul className="list" aria-live="polite" aria-relevant="additions">
        {items.map((n) => {
          const link = internalLink(n.link);
          return (
            <li key={n.id} className={n.read ? "notification" : "notification notification-unread"}>
              <h2 className="notification-title">
                {n.read ? null : <span className="visually-hidden">{t("notifications.unreadMark")} </span>}
                {link ? <Link to={link}>{n.title}</Link> : n.title}
              </h2>
              <p>{n.body}</p>
              <p className="muted">{formatDateTime(n.createdAt)}</p>
              {n.read ? null : (
                <button type="button" className="button-secondary" onClick={() => run(() => markRead(n.id))}>
                  {t("notifications.markRead")}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
