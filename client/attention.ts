/**
 * Getting a person's attention: desktop notifications (only after they pressed "Turn on
 * notifications", never a prompt on load), an optional short sound (off by default) and
 * the unread total in the tab title. Preferences live in localStorage.
 * Browser-only; the server never imports this.
 */
const NOTIFY_KEY = "natter.notifications";
const SOUND_KEY = "natter.sound";

export type NotifyState = "unsupported" | "denied" | "off" | "on";

function stored(key: string): boolean {
  try {
    return localStorage.getItem(key) === "1";
  } catch {
    return false;
  }
}

function store(key: string, on: boolean): void {
  try {
    if (on) localStorage.setItem(key, "1");
    else localStorage.removeItem(key);
  } catch {
    // Without storage the choice lasts for this page only.
  }
}

/** Whether notifications are possible, refused, or on/off by the person's choice. */
export function notifyState(): NotifyState {
  if (typeof Notification !== "function") return "unsupported";
  if (Notification.permission === "denied") return "denied";
  return Notification.permission === "granted" && stored(NOTIFY_KEY)
    ? "on"
    : "off";
}

/** Asks for permission (from a click) and remembers the choice. */
export async function turnOnNotifications(): Promise<NotifyState> {
  if (typeof Notification !== "function") return "unsupported";
  const permission = Notification.permission === "granted"
    ? "granted"
    : await Notification.requestPermission();
  store(NOTIFY_KEY, permission === "granted");
  return notifyState();
}

export function turnOffNotifications(): NotifyState {
  store(NOTIFY_KEY, false);
  return notifyState();
}

/** Shows a notification that opens `href` when clicked; one per chat (same tag). */
export function notify(
  title: string,
  body: string,
  href: string,
  tag: string,
): void {
  if (notifyState() !== "on") return;
  const n = new Notification(title, { body, tag });
  n.onclick = () => {
    globalThis.focus();
    location.assign(href);
  };
}

export const soundOn = () => stored(SOUND_KEY);
export const setSound = (on: boolean) => store(SOUND_KEY, on);

let audio: AudioContext | null = null;

/** A short, quiet two-tone blip made on the spot (no file to fetch). */
export function playBlip(): void {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    const gain = audio.createGain();
    gain.gain.setValueAtTime(0.08, now);
    gain.gain.exponentialRampToValueAtTime(0.001, now + 0.25);
    gain.connect(audio.destination);
    for (const [freq, at] of [[880, 0], [1320, 0.09]]) {
      const osc = audio.createOscillator();
      osc.frequency.value = freq;
      osc.connect(gain);
      osc.start(now + at);
      osc.stop(now + at + 0.12);
    }
  } catch {
    // No audio (autoplay policy, no device): the sound is optional.
  }
}

/** "(3) Chats · Natter" while 3 messages are unread; the plain title otherwise. */
export function titleWithUnread(base: string, unread: number): string {
  return unread > 0 ? `(${unread}) ${base}` : base;
}
