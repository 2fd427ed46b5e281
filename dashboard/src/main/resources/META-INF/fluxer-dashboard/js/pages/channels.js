// Active channels (sortable by name, subscribers or message rate; filtered as you type) and a live
// view of one channel: its publications as they arrive over the relay's protocol (pause/resume),
// its presence and, for ops and admin, unsubscribe/disconnect per client and a publish form.
import { serverApi } from '../api.js';
import { fmt, notice } from '../ui.js';

const REFRESH_MS = 3000;
const LIST_LIMIT = 1000;
const HISTORY_LIMIT = 20;
const LIVE_LIMIT = 200; // publications kept in the live view (and while paused)
const NO_HISTORY = 108; // server API: the namespace keeps no history
const PERMISSION_DENIED = 103;

/** Each column's sort: its key, its first direction, and how two channels compare ascending. */
const COLUMNS = [
  { key: 'channel', label: 'Channel', first: 'ascending', compare: (a, b) => a.channel.localeCompare(b.channel) },
  { key: 'subscribers', label: 'Subscribers', first: 'descending', num: true, compare: (a, b) => a.subscribers - b.subscribers },
  { key: 'rate', label: 'Messages/s', first: 'descending', num: true, compare: (a, b) => (a.rate ?? -1) - (b.rate ?? -1) },
];

function problemText(err, what) {
  if (err.status === 503) return `${what} is unavailable right now (the relay answered 503). Try again shortly.`;
  if (err.status === 403) return `Your role may not see ${what.toLowerCase()}.`;
  return `${what} could not be loaded: ${err.message}`;
}

export default {
  id: 'channels',
  title: 'Channels',
  render(root, ctx) {
    const { el } = ctx;
    let alive = true;
    let channels = []; // [{channel, namespace, subscribers, publications, rate}]
    let total = 0;
    let last = null; // the previous poll: {at, publications: Map channel -> count}
    let sort = { key: 'subscribers', dir: 'descending' };
    let selected = null;
    let detail = null; // the live view of the selected channel

    const search = el('input', {
      id: 'channel-search', type: 'search', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'Filter channels, e.g. chat:', 'aria-label': 'Filter channels', 'aria-controls': 'channel-table',
      oninput: () => showList(),
    });
    const summary = el('p', { class: 'muted channels-summary', 'aria-live': 'polite' });
    const tbody = el('tbody');
    const listProblem = el('div');
    const inspect = el('div');
    const detailBox = el('section', { class: 'detail', 'data-testid': 'channel-detail', 'aria-label': 'Channel live view', hidden: true });
    const heads = COLUMNS.map((c) => el('th', { scope: 'col', class: c.num ? 'num' : null, dataset: { sort: c.key } },
      el('button', { class: 'sort', type: 'button', onclick: () => sortBy(c.key) }, c.label)));

    root.append(el('div', { class: 'split' },
      el('div', { class: 'split-main' },
        el('div', { class: 'toolbar channels-toolbar' }, search),
        summary,
        listProblem,
        el('div', { class: 'table-wrap' },
          el('table', { class: 'table table-select table-cards channel-table', id: 'channel-table', 'data-testid': 'channels' },
            el('caption', { class: 'sr-only' }, 'Active channels; the column buttons sort them'),
            el('thead', {}, el('tr', {}, heads)),
            tbody)),
        inspect),
      detailBox));

    // ---- list

    function sortBy(key) {
      const column = COLUMNS.find((c) => c.key === key);
      const other = (d) => (d === 'ascending' ? 'descending' : 'ascending');
      sort = { key, dir: sort.key === key ? other(sort.dir) : column.first };
      showList();
    }

    function sorted(list) {
      const column = COLUMNS.find((c) => c.key === sort.key);
      const sign = sort.dir === 'ascending' ? 1 : -1;
      return [...list].sort((a, b) => sign * column.compare(a, b) || a.channel.localeCompare(b.channel));
    }

    function matches() {
      const q = search.value.trim().toLowerCase();
      return q ? channels.filter((c) => c.channel.toLowerCase().includes(q)) : channels;
    }

    function row(channel) {
      return el('tr', {
        tabindex: '0',
        dataset: { channel },
        'aria-label': `Open ${channel}`,
        onclick: () => select(channel),
        onkeydown: (event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            select(channel);
          }
        },
      },
      el('td', { class: 'wrap channel-name', 'data-label': 'Channel' }, channel),
      el('td', { class: 'num', 'data-label': 'Subscribers' }),
      el('td', { class: 'num', 'data-label': 'Messages/s' }));
    }

    function showList() {
      for (const th of heads) {
        if (th.dataset.sort === sort.key) th.setAttribute('aria-sort', sort.dir);
        else th.removeAttribute('aria-sort');
      }
      const shown = sorted(matches());
      const focused = document.activeElement;
      const rows = new Map([...tbody.querySelectorAll('tr[data-channel]')].map((tr) => [tr.dataset.channel, tr]));
      tbody.querySelector('tr.empty')?.remove();
      shown.forEach((c, i) => {
        const tr = rows.get(c.channel) || row(c.channel);
        rows.delete(c.channel);
        if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] || null);
        tr.cells[1].textContent = fmt.int(c.subscribers);
        tr.cells[2].textContent = fmt.rate(c.rate);
        tr.setAttribute('aria-current', String(c.channel === selected));
      });
      rows.forEach((tr) => tr.remove());
      if (!shown.length) {
        tbody.append(el('tr', { class: 'empty' }, el('td', { colspan: String(COLUMNS.length) },
          channels.length ? 'No channel matches the filter.' : 'No channel has subscribers right now.')));
      }
      if (focused && focused !== document.activeElement && tbody.contains(focused)) focused.focus({ preventScroll: true });
      const capped = total > channels.length ? ` (the ${channels.length} busiest of ${total})` : '';
      summary.textContent = search.value.trim()
        ? `${shown.length} of ${channels.length} channels match${capped}.`
        : `${channels.length} active channel${channels.length === 1 ? '' : 's'}${capped}; rates over ${REFRESH_MS / 1000} s.`;
      showInspect();
    }

    /** Lets one open a channel nobody subscribes to (to watch it, read its history or publish to it). */
    function showInspect() {
      const q = search.value.trim();
      if (!q || channels.some((c) => c.channel === q)) {
        inspect.replaceChildren();
        return;
      }
      if (inspect.firstChild?.dataset.open === q) return; // keeps focus across refreshes
      inspect.replaceChildren(el('button', { class: 'btn', type: 'button', dataset: { open: q }, onclick: () => select(q) }, `Open channel “${q}”`));
    }

    /** Publications per second since the previous poll; null on the first one or when a count restarted. */
    function withRates(list, at) {
      const before = last;
      last = { at, publications: new Map(list.map((c) => [c.channel, c.publications])) };
      return list.map((c) => {
        const then = before?.publications.get(c.channel);
        const seconds = before ? (at - before.at) / 1000 : 0;
        const valid = Number.isFinite(c.publications) && Number.isFinite(then) && c.publications >= then && seconds > 0;
        return { ...c, rate: valid ? (c.publications - then) / seconds : null };
      });
    }

    async function loadList() {
      try {
        const reply = await ctx.api.get(`/api/v1/channels?limit=${LIST_LIMIT}`);
        if (!alive) return;
        channels = withRates(reply.channels || [], performance.now());
        total = reply.total ?? channels.length;
        listProblem.replaceChildren();
        showList();
      } catch (err) {
        if (alive && err.code !== 'aborted') listProblem.replaceChildren(notice(problemText(err, 'The channel list')));
      }
    }

    // ---- live view

    function select(channel) {
      if (detail?.channel === channel) return;
      detail?.stop();
      selected = channel;
      for (const tr of tbody.querySelectorAll('tr[data-channel]')) {
        tr.setAttribute('aria-current', String(tr.dataset.channel === channel));
      }
      detail = liveView(channel);
      detailBox.replaceChildren(detail.node);
      detailBox.hidden = false;
      detail.load();
      detail.node.querySelector('h2').focus({ preventScroll: false });
    }

    function liveView(channel) {
      let seq = 0;
      let paused = false;
      let received = 0;
      let pending = []; // arrived while paused, newest first
      const shown = new Set(); // offsets in the list, so history does not repeat a live one
      const facts = el('dl', { class: 'facts' });
      const presence = el('div', {}, el('p', { class: 'muted' }, 'Loading…'));
      const problem = el('div');
      const status = el('p', { class: 'live-line', role: 'status', 'data-testid': 'live-status' }, 'Subscribing…');
      const pauseButton = el('button', {
        class: 'btn btn-small', type: 'button', 'aria-pressed': 'false', 'data-testid': 'live-pause', onclick: togglePause,
      }, 'Pause');
      const list = el('ol', { class: 'publications', 'data-testid': 'live-publications', 'aria-label': `Publications in ${channel}, newest first` });
      const empty = el('p', { class: 'muted' }, 'Waiting for publications…');

      const unsubscribe = ctx.live.subscribe(channel, (data, pub) => arrived(pub, Date.now()), {
        onSubscribed: () => {
          status.dataset.state = 'live';
          showStatus();
        },
        onError: (err) => {
          status.textContent = err.code === PERMISSION_DENIED
            ? 'Not watching: your role may not subscribe to this channel (watching any channel needs ops).'
            : `Not watching: ${err.message}`;
          status.dataset.state = 'failed';
        },
      });
      status.dataset.state = 'subscribing';

      function showStatus() {
        if (status.dataset.state === 'failed' || status.dataset.state === 'subscribing') return;
        status.dataset.state = paused ? 'paused' : 'live';
        const count = `${fmt.int(received)} received`;
        status.textContent = paused ? `Paused · ${fmt.int(pending.length)} new while paused · ${count}` : `Live · ${count}`;
      }

      function item(pub, at, fromHistory) {
        return el('li', { dataset: { offset: pub.offset ? String(pub.offset) : '' } },
          el('div', { class: 'pub-meta' },
            el('span', {}, pub.offset ? `offset ${pub.offset}` : 'no offset'),
            el('span', {}, fromHistory ? 'from history' : fmt.time(at)),
            pub.tags ? el('span', {}, Object.entries(pub.tags).map(([k, v]) => `${k}=${v}`).join(' ')) : null),
          el('pre', { class: 'code' }, fmt.json(pub.data)));
      }

      function trim() {
        while (list.children.length > LIVE_LIMIT) {
          const gone = list.lastElementChild;
          shown.delete(gone.dataset.offset);
          gone.remove();
        }
      }

      function arrived(pub, at) {
        received++;
        if (paused) {
          pending.unshift({ pub, at });
          if (pending.length > LIVE_LIMIT) pending.length = LIVE_LIMIT;
        } else {
          show([{ pub, at }]);
        }
        showStatus();
      }

      /** Puts publications (newest first) at the top of the list. */
      function show(pubs) {
        if (!pubs.length) return;
        empty.remove();
        list.prepend(...pubs.map(({ pub, at }) => {
          if (pub.offset) shown.add(String(pub.offset));
          return item(pub, at, false);
        }));
        trim();
      }

      function togglePause() {
        paused = !paused;
        pauseButton.textContent = paused ? 'Resume' : 'Pause';
        pauseButton.setAttribute('aria-pressed', String(paused));
        if (!paused) {
          show(pending);
          pending = [];
        }
        showStatus();
      }

      async function load() {
        const mine = ++seq;
        const info = await ctx.api.get(`/api/v1/channels/${encodeURIComponent(channel)}`).then((v) => ({ v }), (e) => ({ e }));
        if (!alive || mine !== seq || detail?.channel !== channel) return;
        problem.replaceChildren();
        if (info.v) showInfo(info.v);
        else if (info.e.code !== 'aborted') {
          problem.replaceChildren(notice(info.e.status === 404 ? info.e.message : problemText(info.e, 'This channel')));
        }
      }

      /** The channel's last publications from history, below the live ones (once, on opening). */
      async function loadHistory() {
        try {
          const reply = await serverApi(ctx.api, 'history', { channel, limit: HISTORY_LIMIT, reverse: true });
          if (!alive || detail?.channel !== channel) return;
          const older = (reply.publications || []).filter((p) => !p.offset || !shown.has(String(p.offset)));
          if (!older.length) return;
          empty.remove();
          list.append(...older.map((p) => {
            if (p.offset) shown.add(String(p.offset));
            return item(p, 0, true);
          }));
          trim();
        } catch (err) {
          if (err.code === NO_HISTORY || err.code === 'aborted' || !alive) return;
          problem.replaceChildren(notice(problemText(err, 'History')));
        }
      }

      function showInfo(info) {
        const hist = info.history;
        facts.replaceChildren(
          el('dt', {}, 'Namespace'), el('dd', {}, info.namespace || '(none)'),
          el('dt', {}, 'Subscribers'), el('dd', { 'data-testid': 'detail-subscribers' }, fmt.int(info.subscribers ?? 0)),
          el('dt', {}, 'History'), el('dd', {}, hist
            ? `${hist.count} kept (up to ${hist.size} for ${fmt.duration(hist.ttl_seconds)}), offset ${hist.offset}`
            : 'not kept'),
        );
        if (!info.presence) {
          presence.replaceChildren(el('p', { class: 'muted' }, 'This namespace does not track presence.'));
          return;
        }
        const clients = info.presence.clients || [];
        const mine = ctx.live.clientId();
        presence.replaceChildren(clients.length
          ? el('ul', { class: 'plain-list presence-list', 'data-testid': 'presence' }, clients.map((c) => presenceItem(c, c.client === mine)))
          : el('p', { class: 'muted' }, 'Nobody is present.'));
      }

      function presenceItem(c, self) {
        const who = c.user || '(anonymous)';
        const acts = ctx.can('ops') && !self && c.user;
        return el('li', { dataset: { client: c.client } },
          el('div', { class: 'presence-who' },
            el('span', {}, who),
            el('span', { class: 'sub' }, self ? `${c.client} (this dashboard)` : c.client)),
          acts ? el('div', { class: 'presence-actions' },
            el('button', {
              class: 'btn btn-small', type: 'button', 'data-action': 'unsubscribe',
              'aria-label': `Unsubscribe ${who} (${c.client}) from ${channel}`,
              onclick: (event) => act(event.currentTarget, 'unsubscribe', c),
            }, 'Unsubscribe'),
            el('button', {
              class: 'btn btn-small btn-danger', type: 'button', 'data-action': 'disconnect',
              'aria-label': `Disconnect ${who} (${c.client})`,
              onclick: (event) => act(event.currentTarget, 'disconnect', c),
            }, 'Disconnect')) : null);
      }

      async function act(button, method, c) {
        const who = c.user || '(anonymous)';
        const question = method === 'disconnect'
          ? `Disconnect ${who}'s connection ${c.client}? It is closed with code 3503 (force disconnect) and does not reconnect by itself.`
          : `Unsubscribe ${who}'s connection ${c.client} from ${channel}?`;
        const ok = await ctx.confirm(question, { okLabel: method === 'disconnect' ? 'Disconnect' : 'Unsubscribe' });
        if (!ok || !alive) return;
        button.disabled = true;
        try {
          const params = method === 'disconnect' ? { user: c.user, client: c.client } : { user: c.user, channel, client: c.client };
          await serverApi(ctx.api, method, params);
          if (!alive) return;
          ctx.toast(method === 'disconnect' ? `Disconnected ${who} (${c.client}).` : `Unsubscribed ${who} (${c.client}) from ${channel}.`, 'ok');
          load();
        } catch (err) {
          if (alive && err.code !== 'aborted') ctx.toast(err.status === 403 ? 'Your role may not do that.' : `Failed: ${err.message}`, 'error');
        } finally {
          button.disabled = false;
        }
      }

      const node = el('div', {},
        el('div', { class: 'detail-head' },
          el('h2', { tabindex: '-1' }, channel),
          el('button', { class: 'btn btn-small', type: 'button', onclick: close }, 'Close')),
        problem,
        facts,
        el('div', { class: 'live-head' }, el('h3', {}, 'Live'), pauseButton),
        status,
        empty,
        list,
        el('h3', {}, 'Presence'),
        presence,
        ctx.can('ops') ? publishForm(channel) : null);

      loadHistory();
      return {
        channel,
        node,
        load,
        stop() {
          seq++;
          unsubscribe();
        },
      };
    }

    function publishForm(channel) {
      const data = el('textarea', { id: 'publish-data', rows: '4', spellcheck: 'false', 'aria-describedby': 'publish-error' }, '{"text": "hello"}');
      const error = el('p', { id: 'publish-error', class: 'form-error', role: 'alert', hidden: true });
      const submit = el('button', { id: 'publish-submit', class: 'btn btn-primary', type: 'submit', 'data-action': 'publish' }, 'Publish');
      const fail = (message) => {
        error.textContent = message;
        error.hidden = false;
        data.setAttribute('aria-invalid', 'true');
      };
      return el('form', {
        class: 'publish-form',
        onsubmit: async (event) => {
          event.preventDefault();
          error.hidden = true;
          data.removeAttribute('aria-invalid');
          let value;
          try {
            value = JSON.parse(data.value);
          } catch (e) {
            fail(`Not valid JSON, nothing was published: ${e.message}`);
            data.focus();
            return;
          }
          submit.disabled = true;
          try {
            const result = await serverApi(ctx.api, 'publish', { channel, data: value });
            if (!alive) return;
            ctx.toast(result && result.offset ? `Published to ${channel} (offset ${result.offset}).` : `Published to ${channel}.`, 'ok');
          } catch (err) {
            if (alive && err.code !== 'aborted') fail(err.status === 403 ? 'Your role may not publish.' : `Not published: ${err.message}`);
          } finally {
            submit.disabled = false;
          }
        },
      },
      el('h3', {}, 'Publish'),
      el('label', { for: 'publish-data' }, 'Data (JSON)'),
      data,
      error,
      el('div', { class: 'actions' }, submit));
    }

    function close() {
      const channel = selected;
      detail?.stop();
      selected = null;
      detail = null;
      detailBox.hidden = true;
      detailBox.replaceChildren();
      const tr = [...tbody.querySelectorAll('tr[data-channel]')].find((r) => r.dataset.channel === channel);
      for (const r of tbody.querySelectorAll('tr[data-channel]')) r.setAttribute('aria-current', 'false');
      (tr || search).focus();
    }

    showList();
    loadList();
    const timer = setInterval(() => {
      loadList();
      if (detail) detail.load();
    }, REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
      detail?.stop();
    };
  },
};
