// A small client of the relay's WebSocket protocol (Centrifugo's bidirectional JSON protocol,
// see docs/protocol.md): connect with a token, one protocol subscription per channel shared by
// every listener, pongs to server pings, token refresh, reconnect with backoff.

const COMMAND_TIMEOUT_MS = 10000;
const MAX_BACKOFF_MS = 20000;
const TOKEN_EXPIRED = 109;

/** The relay's WebSocket endpoint on this host (ws: or wss: following the page). */
export function websocketUrl(loc = window.location) {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/connection/websocket`;
}

class ProtocolError extends Error {
  constructor(code, message) {
    super(message || `error ${code}`);
    this.code = code;
  }
}

export class LiveClient {
  /**
   * @param {object} o
   * @param {string} o.url WebSocket URL
   * @param {() => string} o.token the current connection token (read at every connect)
   * @param {(state: string, detail?: string) => void} [o.onState] 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed'
   * @param {() => Promise<unknown>} [o.onTokenExpired] asked for a fresh token when connect answers 109
   */
  constructor({ url, token, onState = () => {}, onTokenExpired = () => Promise.resolve() }) {
    this.url = url;
    this.token = token;
    this.onState = onState;
    this.onTokenExpired = onTokenExpired;
    this.ws = null;
    this.connected = false;
    this.closed = false;
    this.nextId = 1;
    this.pending = new Map();
    this.clientId = null; // the relay's id of this connection, from the connect reply
    this.channels = new Map(); // channel -> {listeners: Set, state: 'idle'|'subscribing'|'subscribed'}
    this.backoff = 0;
    this.reconnectTimer = null;
    this.silenceTimer = null;
    this.silenceMs = 0;
    this.pong = false;
  }

  connect() {
    if (this.closed || this.ws) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.onState(this.backoff ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      // closing a socket that is still connecting makes browsers log a warning: close it here instead
      if (this.closed || this.ws !== ws) { ws.close(1000); return; }
      this.command({ connect: { token: this.token(), name: 'fluxer-dashboard' } })
        .then((reply) => this.connectedWith(reply), (err) => this.connectFailed(ws, err));
    };
    ws.onmessage = (event) => { if (this.ws === ws) this.receive(event.data); };
    ws.onclose = (event) => { if (this.ws === ws) this.lost(event.code, event.reason); };
    ws.onerror = () => {}; // a close event follows with the details
  }

  /**
   * Subscribes `onPublication(data, pub)` to a channel; `onSubscribed()` is called each time the
   * relay confirms the subscription (again after a reconnect). Returns the function that unsubscribes it.
   */
  subscribe(channel, onPublication, { onError, onSubscribed } = {}) {
    const listener = { onPublication, onError, onSubscribed };
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = { listeners: new Set(), state: 'idle' };
      this.channels.set(channel, entry);
    }
    entry.listeners.add(listener);
    if (this.connected && entry.state === 'idle') this.subscribeChannel(channel, entry);
    if (!this.ws && !this.reconnectTimer && !this.closed) this.connect();
    return () => {
      if (!entry.listeners.delete(listener) || entry.listeners.size > 0) return;
      if (this.channels.get(channel) === entry) this.channels.delete(channel);
      if (this.connected && entry.state !== 'idle') {
        this.command({ unsubscribe: { channel } }).catch(() => {});
      }
      entry.state = 'idle';
    };
  }

  /** Hands a new token to the open connection so it does not expire. */
  refresh(token) {
    if (!this.connected) return Promise.resolve();
    return this.command({ refresh: { token } }).catch(() => {});
  }

  close() {
    this.closed = true;
    this.connected = false;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.silenceTimer);
    this.failPending(new ProtocolError(0, 'closed'));
    this.channels.clear();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState === WebSocket.OPEN) ws.close(1000, 'logout');
    this.onState('closed');
  }

  // ---- internals

  command(body) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new ProtocolError(0, 'not connected'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ProtocolError(0, 'no reply from the relay'));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ id, ...body }));
    });
  }

  connectedWith(reply) {
    const info = reply.connect || {};
    this.connected = true;
    this.clientId = info.client || null;
    this.backoff = 0;
    this.pong = info.pong === true;
    this.silenceMs = info.ping > 0 ? (info.ping + 15) * 1000 : 0;
    this.heard();
    this.onState('connected', info.node);
    for (const [channel, entry] of this.channels) {
      if (entry.state === 'idle') this.subscribeChannel(channel, entry);
    }
  }

  connectFailed(ws, err) {
    if (this.ws !== ws) return;
    if (err.code === TOKEN_EXPIRED) {
      this.drop(ws);
      this.onTokenExpired().finally(() => this.scheduleReconnect());
      return;
    }
    this.onState('reconnecting', err.message);
    this.drop(ws);
    this.scheduleReconnect();
  }

  subscribeChannel(channel, entry) {
    entry.state = 'subscribing';
    this.command({ subscribe: { channel } }).then(() => {
      if (this.channels.get(channel) !== entry || entry.state !== 'subscribing') return;
      entry.state = 'subscribed';
      for (const l of [...entry.listeners]) if (l.onSubscribed) l.onSubscribed();
    }, (err) => {
      if (this.channels.get(channel) !== entry || entry.state !== 'subscribing') return;
      entry.state = 'idle';
      if (!this.connected) return; // resubscribed after the reconnect
      for (const l of entry.listeners) if (l.onError) l.onError(err);
    });
  }

  receive(text) {
    this.heard();
    for (const line of String(text).split('\n')) {
      if (!line.trim()) continue;
      let msg;
      try { msg = JSON.parse(line); } catch { continue; }
      if (msg.id) this.reply(msg);
      else if (msg.push) this.push(msg.push);
      else if (this.pong) this.ws.send('{}'); // an empty message is the server's ping
    }
  }

  reply(msg) {
    const waiter = this.pending.get(msg.id);
    if (!waiter) return;
    this.pending.delete(msg.id);
    clearTimeout(waiter.timer);
    if (msg.error) waiter.reject(new ProtocolError(msg.error.code, msg.error.message));
    else waiter.resolve(msg);
  }

  push(push) {
    const entry = this.channels.get(push.channel);
    if (!entry) return;
    if (push.pub) {
      for (const l of [...entry.listeners]) {
        try { l.onPublication(push.pub.data, push.pub); } catch (e) { reportError(e); }
      }
    } else if (push.unsubscribe) {
      entry.state = 'idle';
      const { code = 0, reason = 'unsubscribed' } = push.unsubscribe;
      // 2500-2999: the server asks to subscribe again
      if (code >= 2500 && code < 3000) this.subscribeChannel(push.channel, entry);
      else for (const l of entry.listeners) if (l.onError) l.onError(new ProtocolError(code, reason));
    }
  }

  heard() {
    clearTimeout(this.silenceTimer);
    if (!this.silenceMs || !this.ws) return;
    const ws = this.ws;
    this.silenceTimer = setTimeout(() => {
      if (this.ws !== ws) return;
      this.drop(ws);
      this.lost(4000, 'no ping from the relay');
    }, this.silenceMs);
  }

  lost(code, reason) {
    const ws = this.ws;
    if (ws) this.drop(ws);
    if (this.closed) return;
    // 3500-3999 (and 4500-4999) are terminal: reconnecting would fail the same way
    if ((code >= 3500 && code < 4000) || (code >= 4500 && code < 5000)) {
      this.onState('failed', reason || `closed (${code})`);
      return;
    }
    this.onState('reconnecting', reason || undefined);
    this.scheduleReconnect();
  }

  /** Forgets a socket (closing it when open) and every state tied to it. */
  drop(ws) {
    if (this.ws === ws) this.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    else if (ws.readyState === WebSocket.CONNECTING) ws.onopen = () => ws.close(1000);
    this.connected = false;
    this.clientId = null;
    clearTimeout(this.silenceTimer);
    this.failPending(new ProtocolError(0, 'connection lost'));
    for (const entry of this.channels.values()) entry.state = 'idle';
  }

  failPending(err) {
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(err);
    }
    this.pending.clear();
  }

  scheduleReconnect() {
    if (this.closed || this.reconnectTimer || this.ws) return;
    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff ? this.backoff * 2 : 1000);
    const delay = this.backoff * (0.75 + Math.random() * 0.5);
    this.reconnectTimer = setTimeout(() => { this.reconnectTimer = null; this.connect(); }, delay);
  }
}
