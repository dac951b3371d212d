/**
 * A video lesson: the signed HLS playlist in hls.js (or the browser's own HLS where it has it),
 * resumed from the last position, with watched intervals batched by the progress batcher.
 * hls.js (its light build: no DRM, no in-playlist subtitles or alternate audio, which the
 * platform's ladder does not use; captions are a sidecar WebVTT <track>) is loaded only when a
 * video lesson plays, so the rest of the app does not carry it.
 */
import { useEffect, useRef, useState } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { useSignedIn } from "../auth/session";
import { formatClock } from "../i18n/format";
import { t, type MessageKey } from "../i18n/messages";
import { ErrorMessage, Loading } from "../ui";
import { positionKey, progressBatcher, readPosition, resumeAt, writePosition } from "./progress/service";
import { WatchTracker } from "./progress/tracker";

type Video = Schemas["VideoView"];
type HlsInstance = import("hls.js/light").default;

const PROCESSING: Video["status"][] = ["validating", "queued", "processing"];

function fetchVideo(courseId: string, lessonId: string): Promise<Video> {
  return unwrap(api.GET("/api/v1/courses/{courseId}/lessons/{lessonId}/video", { params: { path: { courseId, lessonId } } }));
}

export default function VideoLesson({
  courseId,
  lessonId,
  position = null,
  onProgress,
}: {
  courseId: string;
  lessonId: string;
  /** Where the server says the learner stopped watching (any device); this device's own position wins. */
  position?: number | null;
  onProgress?: () => void;
}) {
  const session = useSignedIn();
  const videoRef = useRef<HTMLVideoElement>(null);
  const [video, setVideo] = useState<Video | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [playError, setPlayError] = useState<string | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  // The server's position as it was when the lesson opened (later refreshes must not move the player).
  const serverPosition = useRef<number | null>(null);
  if (serverPosition.current === null && position !== null) serverPosition.current = position;

  // The grant: poll while the video is being processed.
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const value = await fetchVideo(courseId, lessonId);
        if (cancelled) return;
        setVideo(value);
        setError(null);
        if (PROCESSING.includes(value.status)) timer = setTimeout(() => void load(), 5000);
      } catch (failure) {
        if (!cancelled) setError(failure);
      }
    };
    void load();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [courseId, lessonId]);

  const manifestUrl = video?.status === "ready" ? video.manifestUrl : null;

  // Playback and progress, once the playlist is there.
  useEffect(() => {
    const element = videoRef.current;
    if (!element || !manifestUrl) return;
    const key = positionKey(session.tenantId, session.userId, courseId, lessonId);
    const batcher = progressBatcher(session.tenantId, session.userId);
    const tracker = new WatchTracker();
    const now = () => performance.now() / 1000;
    let hls: HlsInstance | null = null;
    let destroyed = false;
    let lastSaved = 0;
    const startAt = resumeAt(readPosition(key) ?? serverPosition.current, video?.durationSeconds ?? null);
    setSaved(startAt > 0 ? startAt : null);

    const collect = () => {
      const { intervals, activeSeconds } = tracker.drain();
      batcher.addWatch(courseId, lessonId, intervals, activeSeconds);
    };
    const removeCollector = batcher.addCollector(collect);
    const flush = (keepalive = false) => {
      collect();
      void batcher.flush({ keepalive }).then(() => onProgress?.());
    };

    const play = () => tracker.play(element.currentTime, now(), element.playbackRate);
    /** Playback stops here: the interval closes and this device keeps the position. */
    const stop = () => {
      tracker.pause(element.currentTime, now());
      writePosition(key, element.currentTime);
    };
    const onTimeUpdate = () => {
      tracker.tick(element.currentTime, now());
      if (Math.abs(element.currentTime - lastSaved) >= 2) {
        lastSaved = element.currentTime;
        writePosition(key, element.currentTime);
      }
    };
    const onPause = () => {
      stop();
      flush();
    };
    const onSeeking = () => {
      tracker.seeking();
      flush();
    };
    /** After a seek, and at a new rate, a playing video starts a new interval. */
    const onResume = () => {
      if (!element.paused) play();
    };
    const onLoaded = () => {
      if (startAt > 0 && startAt < (element.duration || Infinity)) element.currentTime = startAt;
    };
    const listeners: [keyof HTMLMediaElementEventMap, () => void][] = [
      ["playing", play],
      ["timeupdate", onTimeUpdate],
      ["pause", onPause],
      ["ended", onPause],
      ["seeking", onSeeking],
      ["seeked", onResume],
      ["ratechange", onResume],
    ];
    for (const [type, listener] of listeners) element.addEventListener(type, listener);
    element.addEventListener("loadedmetadata", onLoaded, { once: true });

    if (element.canPlayType("application/vnd.apple.mpegurl")) {
      element.src = manifestUrl;
    } else {
      void import("hls.js/light").then(({ default: Hls }) => {
        if (destroyed) return;
        if (!Hls.isSupported()) {
          setPlayError(t("video.unsupported"));
          return;
        }
        hls = new Hls({ startPosition: startAt > 0 ? startAt : -1 });
        let recovered = false;
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          if (data.type === Hls.ErrorTypes.NETWORK_ERROR && !recovered) {
            // The playlist grant lasts 15 minutes: fetch a fresh one and carry on where playback is.
            recovered = true;
            void fetchVideo(courseId, lessonId).then((fresh) => {
              if (destroyed || !fresh.manifestUrl || !hls) return;
              hls.loadSource(fresh.manifestUrl);
              hls.startLoad(element.currentTime);
            });
            return;
          }
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
            hls?.recoverMediaError();
            return;
          }
          setPlayError(t("video.playbackFailed"));
        });
        hls.loadSource(manifestUrl);
        hls.attachMedia(element);
      });
    }

    return () => {
      destroyed = true;
      stop();
      collect();
      removeCollector();
      void batcher.flush({ keepalive: true });
      for (const [type, listener] of listeners) element.removeEventListener(type, listener);
      hls?.destroy();
    };
    // The grant's URL changes with every fetch: playback is set up once the video is ready, not per grant.
  }, [manifestUrl !== null, courseId, lessonId, session.tenantId, session.userId]);

  if (error) return <ErrorMessage error={error} />;
  if (!video) return <Loading />;
  if (video.status !== "ready") {
    return (
      <div className={video.status === "failed" ? "state state-error" : "state state-empty"} role="status">
        <p>{t(`videoStatus.${video.status}` as MessageKey)}</p>
        {video.status === "failed" && video.reason ? <p>{video.reason}</p> : null}
        {PROCESSING.includes(video.status) ? <Loading label={t("video.waiting")} /> : null}
      </div>
    );
  }
  return (
    <div className="player">
      <video
        ref={videoRef}
        controls
        playsInline
        preload="metadata"
        crossOrigin="anonymous"
        poster={video.posterUrl ?? undefined}
        aria-label={t("video.label")}
        data-testid="lesson-video"
      >
        {video.captionsUrl ? <track kind="captions" src={video.captionsUrl} srcLang="en" label={t("video.captions")} default /> : null}
      </video>
      {saved ? <p className="muted">{t("video.resumed", { position: formatClock(saved) })}</p> : null}
      {playError ? <p className="state state-error" role="alert">{playError}</p> : null}
    </div>
  );
}
