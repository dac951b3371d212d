/**
 * The signed-in user's notifications: the newest page and the unread count from the list route,
 * then live through the SSE route with EventSource (live.ts: resuming after the newest one,
 * Last-Event-ID on reconnects), falling back to polling the list when the stream cannot be used.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { api, unwrap, type Schemas } from "../../api/client";
import { apiUrl } from "../../config";
import { keepLive, type LiveMode } from "./live";

export type Notification = Schemas["NotificationView"];

interface NotificationsValue {
  items: Notification[];
  unread: number;
  mode: LiveMode;
  loading: boolean;
  error: unknown;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
}

const NotificationsContext = createContext<NotificationsValue | null>(null);
const PAGE = 20;

function newestSeq(items: Notification[]): string {
  return items.reduce((max, n) => (n.seq > max ? n.seq : max), "");
}

/** Adds `incoming` to `items` (newest first), once per id. */
export function mergeNotifications(items: Notification[], incoming: Notification[]): Notification[] {
  const byId = new Map(items.map((n) => [n.id, n]));
  for (const n of incoming) byId.set(n.id, n);
  return [...byId.values()].sort((a, b) => (a.seq < b.seq ? 1 : a.seq > b.seq ? -1 : 0));
}

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);
  const [mode, setMode] = useState<LiveMode>("connecting");
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  // What this tab holds, read outside state updaters (which must stay pure).
  const known = useRef(new Map<string, Notification>());

  const remember = useCallback((incoming: Notification[]) => {
    for (const n of incoming) known.current.set(n.id, n);
    setItems((current) => mergeNotifications(current, incoming));
  }, []);

  const load = useCallback(async () => {
    const page = await unwrap(api.GET("/api/v1/me/notifications", { params: { query: { limit: PAGE } } }));
    remember(page.items);
    setUnread(page.unreadCount);
    return page;
  }, [remember]);

  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    load()
      .then(
        (page) => {
          setError(null);
          return newestSeq(page.items);
        },
        (failure: unknown) => {
          setError(failure);
          return "";
        },
      )
      .then((after) => {
        setLoading(false);
        if (cancelled) return;
        stop = keepLive({
          initialEventId: after,
          ticket: async () => {
            const body = await unwrap(api.POST("/api/v1/me/notifications/stream-tickets"));
            return body.ticket;
          },
          url: (ticket, afterSeq) => {
            const query = new URLSearchParams({ ticket });
            if (afterSeq) query.set("after", afterSeq);
            return apiUrl(`/api/v1/me/notifications/stream?${query.toString()}`);
          },
          poll: async () => {
            await load();
          },
          onMessage: (data) => {
            let notification: Notification;
            try {
              notification = JSON.parse(data) as Notification;
            } catch {
              return;
            }
            if (typeof notification.id !== "string") return;
            if (!known.current.has(notification.id) && !notification.read) setUnread((u) => u + 1);
            remember([notification]);
          },
          onMode: setMode,
        });
      });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [load, remember]);

  const markRead = useCallback(async (id: string) => {
    const updated = await unwrap(
      api.POST("/api/v1/me/notifications/{notificationId}/read", { params: { path: { notificationId: id } } }),
    );
    const before = known.current.get(id);
    if (before && !before.read) setUnread((u) => Math.max(0, u - 1));
    remember([updated]);
  }, [remember]);

  const markAllRead = useCallback(async () => {
    await unwrap(api.POST("/api/v1/me/notifications/read-all"));
    remember([...known.current.values()].map((n) => ({ ...n, read: true })));
    setUnread(0);
  }, [remember]);

  const value = useMemo(
    () => ({ items, unread, mode, loading, error, markRead, markAllRead }),
    [items, unread, mode, loading, error, markRead, markAllRead],
  );
  return <NotificationsContext.Provider value={value}>{children}</NotificationsContext.Provider>;
}

export function useNotifications(): NotificationsValue {
  const value = useContext(NotificationsContext);
  if (!value) throw new Error("useNotifications outside NotificationsProvider");
  return value;
}
