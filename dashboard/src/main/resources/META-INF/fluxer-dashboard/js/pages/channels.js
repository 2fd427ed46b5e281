// Active channels (busiest first, filtered as you type) and one channel's detail: presence,
// last publications and, for ops and admin, a publish form.
import { serverApi } from '../api.js';
import { fmt, notice } from '../ui.js';

const REFRESH_MS = 5000;
const LIST_LIMIT = 1000;
const HISTORY_LIMIT = 20;
const NO_HISTORY = 108; // server API: the namespace keeps no history

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
    let channels = [];
    let total = 0;
    let selected = null;
    let detail = null; // the detail panel of the selected channel

    const search = el('input', {
      id: 'channel-search', type: 'search', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'e.g. chat:', 'aria-controls': 'channel-table', oninput: () => showList(),
    });
    const summary = el('p', { class: 'muted' });
    const tbody = el('tbody');
    const listProblem = el('div');
    const inspect = el('div');
    const detailBox = el('section', { class: 'detail', 'data-testid': 'channel-detail', 'aria-label': 'Channel detail', hidden: true });

    root.append(el('div', { class: 'split' },
      el('div', { class: 'split-main' },
        el('div', { class: 'toolbar' },
          el('label', { for: 'channel-search' }, 'Search channels'),
          search),
        summary,
        listProblem,
        el('div', { class: 'table-wrap' },
          el('table', { class: 'table table-select', id: 'channel-table', 'data-testid': 'channels' },
            el('thead', {}, el('tr', {},
              el('th', { scope: 'col' }, 'Channel'),
              el('th', { scope: 'col', class: 'num' }, 'Subscribers'))),
            tbody)),
        inspect),
      detailBox));

    // ---- list

    function matches() {
      const q = search.value.trim().toLowerCase();
      return q ? channels.filter((c) => c.channel.toLowerCase().includes(q)) : channels;
    }

    function row(channel) {
      const tr = el('tr', {
        tabindex: '0',
        dataset: { channel },
        onclick: () => select(channel),
        onkeydown: (event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            select(channel);
          }
        },
      }, el('td', {}, channel), el('td', { class: 'num' }));
      return tr;
    }

    function showList() {
      const shown = matches();
      const focused = document.activeElement;
      const rows = new Map([...tbody.querySelectorAll('tr[data-channel]')].map((tr) => [tr.dataset.channel, tr]));
      tbody.querySelector('tr.empty')?.remove();
      shown.forEach((c, i) => {
        const tr = rows.get(c.channel) || row(c.channel);
        rows.delete(c.channel);
        if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] || null);
        tr.cells[1].textContent = String(c.subscribers);
        tr.setAttribute('aria-current', String(c.channel === selected));
      });
      rows.forEach((tr) => tr.remove());
      if (!shown.length) {
        tbody.append(el('tr', { class: 'empty' }, el('td', { colspan: '2' },
          channels.length ? 'No channel matches the search.' : 'No channel has subscribers right now.')));
      }
      if (focused && focused !== document.activeElement && tbody.contains(focused)) focused.focus({ preventScroll: true });
      const capped = total > channels.length ? ` (the ${channels.length} busiest of ${total})` : '';
      summary.textContent = search.value.trim()
        ? `${shown.length} of ${channels.length} channels match${capped}.`
        : `${channels.length} active channel${channels.length === 1 ? '' : 's'}${capped}, refreshed every ${REFRESH_MS / 1000} s.`;
      showInspect();
    }

    /** Lets one open a channel nobody subscribes to (to read its history or publish to it). */
    function showInspect() {
      const q = search.value.trim();
      if (!q || channels.some((c) => c.channel === q)) {
        inspect.replaceChildren();
        return;
      }
      if (inspect.firstChild?.dataset.open === q) return; // keeps focus across refreshes
      inspect.replaceChildren(el('button', { class: 'btn', type: 'button', dataset: { open: q }, onclick: () => select(q) }, `Open channel “${q}”`));
    }

    async function loadList() {
      try {
        const reply = await ctx.api.get(`/api/v1/channels?limit=${LIST_LIMIT}`);
        if (!alive) return;
        channels = reply.channels || [];
        total = reply.total ?? channels.length;
        listProblem.replaceChildren();
        showList();
      } catch (err) {
        if (alive && err.code !== 'aborted') listProblem.replaceChildren(notice(problemText(err, 'The channel list')));
      }
    }

    // ---- detail

    function select(channel) {
      selected = channel;
      for (const tr of tbody.querySelectorAll('tr[data-channel]')) {
        tr.setAttribute('aria-current', String(tr.dataset.channel === channel));
      }
      detail = channelDetail(channel);
      detailBox.replaceChildren(detail.node);
      detailBox.hidden = false;
      detail.load();
    }

    function channelDetail(channel) {
      let seq = 0;
      const facts = el('dl', { class: 'facts' });
      const presence = el('div', {}, el('p', { class: 'muted' }, 'Loading…'));
      const history = el('div', {}, el('p', { class: 'muted' }, 'Loading…'));
      const problem = el('div');

      async function load() {
        const mine = ++seq;
        const [info, pubs] = await Promise.allSettled([
          ctx.api.get(`/api/v1/channels/${encodeURIComponent(channel)}`),
          serverApi(ctx.api, 'history', { channel, limit: HISTORY_LIMIT, reverse: true }),
        ]);
        if (!alive || mine !== seq || detail?.channel !== channel) return;
        problem.replaceChildren();
        if (info.status === 'fulfilled') showInfo(info.value);
        else if (info.reason.code !== 'aborted') {
          problem.replaceChildren(notice(info.reason.status === 404 ? info.reason.message : problemText(info.reason, 'This channel')));
        }
        if (pubs.status === 'fulfilled') showHistory(pubs.value.publications || []);
        else showHistoryProblem(pubs.reason);
      }

      function showInfo(info) {
        const hist = info.history;
        facts.replaceChildren(
          el('dt', {}, 'Namespace'), el('dd', {}, info.namespace || '(none)'),
          el('dt', {}, 'Subscribers'), el('dd', {}, String(info.subscribers ?? 0)),
          el('dt', {}, 'History'), el('dd', {}, hist
            ? `${hist.count} kept (up to ${hist.size} for ${fmt.duration(hist.ttl_seconds)}), offset ${hist.offset}`
            : 'not kept'),
        );
        if (!info.presence) {
          presence.replaceChildren(el('p', { class: 'muted' }, 'This namespace does not track presence.'));
          return;
        }
        const clients = info.presence.clients || [];
        presence.replaceChildren(clients.length
          ? el('ul', { class: 'plain-list' }, clients.map((c) => el('li', {},
            el('span', {}, c.user || '(anonymous)'), ' ', el('span', { class: 'sub' }, c.client))))
          : el('p', { class: 'muted' }, 'Nobody is present.'));
      }

      function showHistory(publications) {
        if (!publications.length) {
          history.replaceChildren(el('p', { class: 'muted' }, 'No publications in history.'));
          return;
        }
        history.replaceChildren(el('ol', { class: 'publications' }, publications.map((p) => el('li', {},
          el('div', { class: 'pub-meta' },
            p.offset ? `offset ${p.offset}` : 'publication',
            p.tags ? el('span', { class: 'sub' }, Object.entries(p.tags).map(([k, v]) => `${k}=${v}`).join(' ')) : null),
          el('pre', { class: 'code' }, fmt.json(p.data))))));
      }

      function showHistoryProblem(err) {
        if (err.code === 'aborted') return;
        history.replaceChildren(err.code === NO_HISTORY
          ? el('p', { class: 'muted' }, 'No history: this namespace keeps none.')
          : notice(problemText(err, 'History')));
      }

      const node = el('div', {},
        el('div', { class: 'detail-head' },
          el('h2', {}, channel),
          el('button', { class: 'btn btn-small', type: 'button', onclick: close }, 'Close')),
        problem,
        facts,
        el('h3', {}, 'Presence'),
        presence,
        el('h3', {}, 'Last publications'),
        history,
        ctx.can('ops') ? publishForm(channel, load) : null);

      return { channel, node, load };
    }

    function publishForm(channel, reload) {
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
            reload();
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
      selected = null;
      detail = null;
      detailBox.hidden = true;
      detailBox.replaceChildren();
      const tr = [...tbody.querySelectorAll('tr[data-channel]')].find((r) => r.dataset.channel === channel);
      for (const r of tbody.querySelectorAll('tr[data-channel]')) r.setAttribute('aria-current', 'false');
      (tr || search).focus();
    }

    loadList();
    const timer = setInterval(() => {
      loadList();
      if (detail) detail.load();
    }, REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  },
};
