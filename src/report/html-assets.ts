/** The HTML report's inline stylesheet and script: no data in them, so nothing here needs escaping. */

/** Sized for a 1,280 px window: fixed table layouts and wrapping code, never a horizontal scroll bar. */
export const HTML_STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:20px auto;max-width:1220px;padding:0 16px;color:#1d2733;overflow-wrap:anywhere}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #dde3e9;padding-bottom:4px}h3{font-size:14px;margin:14px 0 4px}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0;color:#5b6773;font-size:13px}.meta dt{font-weight:600}.meta dd{margin:0}
.sub{color:#5b6773;margin:4px 0}.big{font-size:16px;font-weight:600}
.card{border:1px solid #dde3e9;border-radius:6px;padding:10px 16px;margin-top:16px;background:#fafbfc}
.pct{font-size:30px;font-weight:700;margin:0}.pct span{font-size:16px;font-weight:500;color:#5b6773}
table{border-collapse:collapse;width:100%;margin:6px 0;table-layout:fixed}
th,td{border-bottom:1px solid #e6eaee;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f6f8;user-select:none}#rules th{cursor:pointer}#rules th[data-dir=asc]::after{content:" ▲"}#rules th[data-dir=desc]::after{content:" ▼"}td.n,th.n{text-align:right}
code,pre{font:12px/1.4 ui-monospace,Consolas,monospace}pre{background:#f4f6f8;padding:6px 8px;border-radius:4px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
.bar{display:flex;height:14px;background:#eef1f4;border-radius:3px;overflow:hidden}.big-bar{height:20px;margin:8px 0 4px}
.seg{display:inline-block;height:100%}.ready{background:#3c9a4f}.partial{background:#e0a526}.blocked{background:#d2463a}.unknown{background:#9aa3ad}.not-applicable{background:#cfd5db}.out-of-scope{background:#e6e9ed}.resolved{background:#3c78b4}
.legend{font-size:12px;color:#5b6773;margin:2px 0}.legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
.v{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px;margin:1px 2px 1px 0}.v.not-applicable,.v.out-of-scope{color:#1d2733}
.st{color:#5b6773;font-size:12px}
.collapsed tr.more{display:none}.toggle{margin:4px 0;font:inherit;cursor:pointer}
.filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:6px 0}.filters .grow{flex:1 1 260px;display:flex;gap:6px;align-items:center}.filters input[type=search]{flex:1;min-width:0}
.how li{margin:4px 0}
`;

/**
 * Filters (verdict, log source, level, search, other products) and column sorting on the rule table, and
 * the "show all" switch of the log-source table. Rows carry their facts in data- attributes.
 */
export const HTML_SCRIPT = `
(function () {
  var table = document.getElementById('rules');
  if (table) {
    var body = table.tBodies[0];
    var f = function (id) { return document.getElementById(id); };
    var apply = function () {
      var v = f('f-verdict').value, ls = f('f-logsource').value, lv = f('f-level').value;
      var q = f('f-search').value.toLowerCase(), other = f('f-other').checked, n = 0;
      Array.prototype.forEach.call(body.rows, function (r) {
        var ok = (other || r.dataset.win === '1' || v === 'out-of-scope') && (!v || (' ' + r.dataset.v + ' ').indexOf(' ' + v + ' ') >= 0) &&
          (!ls || r.dataset.ls === ls) && (!lv || r.dataset.level === lv) && (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
        r.hidden = !ok;
        if (ok) n++;
      });
      f('f-count').textContent = String(n);
    };
    ['f-verdict', 'f-logsource', 'f-level', 'f-other'].forEach(function (id) { f(id).addEventListener('change', apply); });
    f('f-search').addEventListener('input', apply);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.addEventListener('click', function () {
        var dir = th.dataset.dir === 'asc' ? -1 : 1;
        th.dataset.dir = dir === 1 ? 'asc' : 'desc';
        // Verdict and level cells carry an order key (least ready, highest level first); the rest sort as text.
        var key = function (r) { var c = r.cells[col]; return c.dataset.k !== undefined ? Number(c.dataset.k) : c.textContent.toLowerCase(); };
        Array.from(body.rows).sort(function (a, b) {
          var x = key(a), y = key(b);
          return dir * (typeof x === 'number' ? x - y : x.localeCompare(y));
        }).forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  document.querySelectorAll('button.toggle').forEach(function (b) {
    b.addEventListener('click', function () {
      var t = document.getElementById(b.dataset.target);
      t.classList.toggle('collapsed');
      b.textContent = t.classList.contains('collapsed') ? b.textContent.replace('show fewer', 'show all') : b.textContent.replace('show all', 'show fewer');
    });
  });
})();
`;
