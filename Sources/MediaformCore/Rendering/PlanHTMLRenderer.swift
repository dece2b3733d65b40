import Foundation

/// A plan as one self-contained HTML page for review (`plan --html`, `show --html`): the summary with a bar chart,
/// every change in a paged table (100,000 rows stay usable: only one page is in the DOM), filters by action and by
/// manifest file, a search over keys, titles and sources, cover thumbnails (lazy; a broken image shows a
/// placeholder), drift, moves and deletions marked. Pure: the caller writes the file.
///
/// Safety: the plan travels as JSON inside `<script type="application/json">` with `<`, `>` and `&` escaped, and
/// the page's script builds every element with `textContent` and checked attributes, never from markup. A Content
/// Security Policy allows only this page's own script (by its SHA-256), inline styles, and images over http(s):
/// nothing in the manifests can run script, and the only requests the page makes are for covers.
public enum PlanHTMLRenderer {
    /// Rows per page of the table.
    public static let pageSize = 200

    public static func html(_ plan: Plan, title: String = "mediaform plan", generator: String) -> String {
        let data = JSONValue.object([
            "title": .string(title), "generator": .string(generator), "summary_line": .string(plan.summaryLine),
            "counts": .object(plan.counts.reduce(into: [:]) { $0[$1.key.rawValue] = .int(Int64($1.value)) }),
            "partial": .bool(plan.scope.isPartial), "refreshed": .bool(plan.refreshed), "prune": .bool(plan.prune),
            "page_size": .int(Int64(pageSize)),
            "categories": .array(
                plan.categories.filter { $0.action != .noOp }.map {
                    .array([.string($0.action.rawValue), .string($0.path), .string($0.reason), .bool($0.drift)])
                }),
            "rows": .array(plan.changes.filter { $0.action != .noOp }.map(row)),
        ])
        let json = scriptSafe(data.canonicalJSON)
        let hash = Data(Digest.hash(.sha256, script)).base64EncodedString()
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src http: https:; style-src 'unsafe-inline'; script-src 'sha256-\(hash)'">
            <meta name="referrer" content="no-referrer">
            <title>\(PlanRenderer.html(title))</title>
            <style>\(style)</style>
            </head>
            <body>
            <header><h1 id="title">\(PlanRenderer.html(title))</h1><p id="summary">\(PlanRenderer.html(plan.summaryLine))</p></header>
            <section id="chart" aria-label="changes by action"></section>
            <section id="categories"></section>
            <section id="controls">
            <input id="search" type="search" placeholder="Search keys, titles, sources" aria-label="search">
            <select id="file" aria-label="manifest file"><option value="">every manifest file</option></select>
            <span id="actions"></span>
            </section>
            <p id="status"></p>
            <table id="changes"><thead><tr><th>action</th><th>cover</th><th>asset</th><th>changes</th></tr></thead><tbody></tbody></table>
            <nav id="pages"><button id="prev" type="button">previous</button> <span id="page"></span> <button id="next" type="button">next</button></nav>
            <footer id="generator"></footer>
            <script type="application/json" id="plan-data">\(json)</script>
            <script>\(script)</script>
            </body>
            </html>

            """
    }

    /// One change as a compact array: action, key, from, reason, drift, file, title, source, cover, fields
    /// (`[name, before, after]` as reviewers read the values; null when absent).
    private static func row(_ change: PlannedChange) -> JSONValue {
        let facts = change.facts
        let text = { (value: String?) in value.map(JSONValue.string) ?? .null }
        let fields = change.fields.map { field -> JSONValue in
            .array([
                .string(field.field), field.before == .null ? .null : .string(PlanRenderer.display(field.before)),
                field.after == .null ? .null : .string(PlanRenderer.display(field.after)),
            ])
        }
        return .array([
            // A plain create's reason goes without saying, as in the text plan.
            .string(change.action.rawValue), .string(change.key), text(change.from),
            .string(change.action == .create && change.reason == Planner.createReason ? "" : change.reason),
            .bool(change.drift), text(facts.file), text(facts.title), text(facts.source), text(facts.cover),
            .array(fields),
        ])
    }

    /// JSON that cannot end the script element or open a comment or markup in it: `<`, `>` and `&` (which only
    /// occur inside strings) as `\u` escapes.
    static func scriptSafe(_ json: String) -> String {
        var out = ""
        out.reserveCapacity(json.utf8.count)
        for c in json.unicodeScalars {
            switch c {
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:16px;color:#1f2328;background:#fff}
        h1{font-size:20px;margin:0 0 4px}#summary{font-weight:600;margin:0 0 12px}
        #chart .bar{display:flex;align-items:center;gap:8px;margin:2px 0}#chart .label{width:110px;text-align:right}
        #chart .fill{height:14px;border-radius:3px;min-width:2px}#chart .n{font-variant-numeric:tabular-nums}
        #controls{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:14px 0 6px}
        #search{flex:1 1 260px;padding:6px 8px}#actions label{margin-right:8px;white-space:nowrap}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:6px;vertical-align:top;text-align:left}
        tr.create td:first-child,tr.retry td:first-child{border-left:4px solid #1a7f37}tr.update td:first-child{border-left:4px solid #9a6700}
        tr.replace td:first-child{border-left:4px solid #8250df}tr.delete{background:#ffebe9}tr.delete td:first-child{border-left:6px solid #cf222e}
        tr.move td:first-child{border-left:4px solid #0969da}tr.orphan td:first-child,tr.missing td:first-child{border-left:4px solid #bf8700}
        tr.drift{outline:2px solid #bc4c00;outline-offset:-2px}.badge{display:inline-block;font-size:11px;font-weight:700;padding:1px 6px;border-radius:10px;margin:0 4px 2px 0;color:#fff}
        .b-drift{background:#bc4c00}.b-delete{background:#cf222e}.b-move{background:#0969da}.action{font-weight:600;white-space:nowrap}
        .key{font-family:ui-monospace,monospace;word-break:break-all}.title{font-weight:600}.muted{color:#656d76;font-size:12px;word-break:break-all}
        img.cover,.placeholder{width:96px;height:54px;object-fit:cover;border-radius:4px;background:#eaeef2;display:block}
        .placeholder{display:flex;align-items:center;justify-content:center;color:#8c959f;font-size:11px}
        .field{font-family:ui-monospace,monospace;font-size:12px;word-break:break-word}.field b{font-family:system-ui,sans-serif}
        mark{background:#fff8c5;padding:0 1px}.before mark{background:#ffcecb}.after mark{background:#aceebb}
        #categories table{margin-bottom:10px}nav{margin:10px 0}#status{color:#656d76}footer{margin-top:16px;color:#656d76;font-size:12px}
        """

    /// The page's script: static text (its hash is in the Content Security Policy), reading the plan from the JSON
    /// element. `#q=…&action=a,b&file=…&page=N` in the address sets the filters (links, and the headless tests).
    static let script = """
        (function () {
          "use strict";
          const source = document.getElementById("plan-data");
          const data = JSON.parse(source.textContent);
          source.remove();  // parsed once; a 100,000-row plan's text need not stay in the document
          const rows = data.rows, pageSize = data.page_size;
          const colors = {create:"#1a7f37",retry:"#1a7f37",update:"#9a6700",replace:"#8250df",move:"#0969da",delete:"#cf222e",orphan:"#bf8700",missing:"#bf8700","in-progress":"#57606a"};
          const order = ["create","retry","update","replace","move","delete","orphan","missing","in-progress"];
          const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; };
          const params = new URLSearchParams(location.hash.slice(1));
          const present = order.filter(a => data.counts[a] > 0);
          const wanted = params.has("action") ? new Set(params.get("action").split(",")) : new Set(present);
          let query = (params.get("q") || "").toLowerCase(), file = params.get("file") || "", page = Math.max(0, (parseInt(params.get("page") || "1", 10) || 1) - 1);

          const max = Math.max(1, ...present.map(a => data.counts[a]));
          const chart = document.getElementById("chart");
          for (const a of present) {
            const bar = el("div", "bar"); bar.dataset.action = a;
            bar.append(el("span", "label", a));
            const fill = el("span", "fill"); fill.style.width = Math.max(2, Math.round(400 * data.counts[a] / max)) + "px"; fill.style.background = colors[a] || "#57606a";
            bar.append(fill, el("span", "n", String(data.counts[a])));
            chart.append(bar);
          }
          if (data.counts["no-op"] > 0) chart.append(el("div", "muted", data.counts["no-op"] + " unchanged (not listed)"));

          if (data.categories.length) {
            const box = document.getElementById("categories");
            box.append(el("h2", null, "Categories (" + data.categories.length + ")"));
            const table = el("table"), body = el("tbody");
            for (const [action, path, reason, drift] of data.categories) {
              const tr = el("tr", action + (drift ? " drift" : ""));
              const first = el("td", "action", action);
              if (drift) first.prepend(el("span", "badge b-drift", "DRIFT"));
              tr.append(first, el("td", "key", path), el("td", "muted", reason));
              body.append(tr);
            }
            table.append(body); box.append(table);
          }

          const actionsBox = document.getElementById("actions");
          for (const a of present) {
            const label = el("label"), box = el("input"); box.type = "checkbox"; box.value = a; box.checked = wanted.has(a);
            box.addEventListener("change", () => { box.checked ? wanted.add(a) : wanted.delete(a); page = 0; render(); });
            label.append(box, " " + a + " (" + data.counts[a] + ")"); actionsBox.append(label);
          }
          const files = [...new Set(rows.map(r => r[5]).filter(f => f))].sort();
          const select = document.getElementById("file");
          for (const f of files) { const o = el("option", null, f); o.value = f; select.append(o); }
          select.value = file;
          select.addEventListener("change", () => { file = select.value; page = 0; render(); });
          const search = document.getElementById("search");
          search.value = query;
          search.addEventListener("input", () => { query = search.value.toLowerCase(); page = 0; render(); });
          document.getElementById("prev").addEventListener("click", () => { page = Math.max(0, page - 1); render(); });
          document.getElementById("next").addEventListener("click", () => { page += 1; render(); });
          document.getElementById("generator").textContent = "Made by " + data.generator + (data.refreshed ? " from the library as read (--refresh)" : "") + (data.partial ? "; a partial plan (--target)" : "");

          const safeURL = u => typeof u === "string" && /^https?:\\/\\//i.test(u);
          const placeholder = () => el("div", "placeholder", "no cover");
          function cover(url) {
            if (!safeURL(url)) return placeholder();
            const img = el("img", "cover"); img.loading = "lazy"; img.alt = ""; img.referrerPolicy = "no-referrer";
            img.addEventListener("error", () => img.replaceWith(placeholder()));
            img.src = url; return img;
          }
          function marked(cls, text, start, end) {
            const span = el("span", cls);
            if (text == null) { span.textContent = "(none)"; return span; }
            span.append(text.slice(0, start));
            if (end > start) span.append(el("mark", null, text.slice(start, end)));
            span.append(text.slice(end)); return span;
          }
          function change(name, before, after) {
            const div = el("div", "field"); div.append(el("b", null, name + ": "));
            if (before == null && after != null) { div.append(marked("after", after, 0, 0)); return div; }
            const a = before || "", b = after || "";
            let p = 0; while (p < a.length && p < b.length && a[p] === b[p]) p++;
            let s = 0; while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
            div.append(marked("before", before, p, a.length - s), " → ", marked("after", after, p, b.length - s));
            return div;
          }
          function matches(r) {
            if (!wanted.has(r[0])) return false;
            if (file && r[5] !== file) return false;
            if (!query) return true;
            return [r[1], r[2], r[6], r[7]].some(v => v && v.toLowerCase().includes(query));
          }
          function render() {
            const shown = rows.filter(matches);
            const pages = Math.max(1, Math.ceil(shown.length / pageSize));
            page = Math.min(page, pages - 1);
            const body = document.querySelector("#changes tbody");
            const fragment = document.createDocumentFragment();
            for (const r of shown.slice(page * pageSize, (page + 1) * pageSize)) {
              const [action, key, from, reason, drift, fileName, title, source, coverURL, fields] = r;
              const tr = el("tr", action + (drift ? " drift" : "")); tr.dataset.key = key;
              const first = el("td", "action");
              if (drift) first.append(el("span", "badge b-drift", "DRIFT"));
              if (action === "delete") first.append(el("span", "badge b-delete", "DELETE"));
              if (action === "move") first.append(el("span", "badge b-move", "MOVE"));
              first.append(el("div", null, action));
              const asset = el("td");
              if (title) asset.append(el("div", "title", title));
              asset.append(el("div", "key", from ? from + " → " + key : key));
              if (source) asset.append(el("div", "muted", source));
              if (fileName) asset.append(el("div", "muted", fileName));
              const changes = el("td");
              if (reason) changes.append(el("div", "muted", reason));
              for (const [name, before, after] of fields) changes.append(change(name, before, after));
              const coverCell = el("td"); coverCell.append(cover(coverURL));
              tr.append(first, coverCell, asset, changes);
              fragment.append(tr);
            }
            body.replaceChildren(fragment);
            const from = shown.length ? page * pageSize + 1 : 0, to = Math.min(shown.length, (page + 1) * pageSize);
            document.getElementById("status").textContent = "Showing " + from + "–" + to + " of " + shown.length + " changes (" + rows.length + " in the plan)";
            document.getElementById("page").textContent = "page " + (page + 1) + " of " + pages;
            document.getElementById("prev").disabled = page === 0;
            document.getElementById("next").disabled = page >= pages - 1;
          }
          render();
          // When the first page was on screen, in ms since the navigation started (the browser tests read it).
          document.documentElement.dataset.renderedMs = String(Math.round(performance.now()));
        })();
        """
}
