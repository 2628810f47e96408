"""`bcce cost analysis` as text (JSON is Analysis.to_dict)."""

from __future__ import annotations

from bcce_tf.spend.analysis import Analysis


def render_text(analysis: Analysis) -> str:
    a = analysis
    cur = a.usage.currency
    p = a.period
    span = f"{p.start.isoformat()} to {p.last_day.isoformat()}"
    when = span if p.label == span else f"{p.label} ({span})"
    out = [f"Actual spend of stack {', '.join(a.stacks)}, {when}, {p.days} days, by {a.breakdown}, "
           "from Cost Explorer (UnblendedCost)"
           + (": includes estimated, not yet final, amounts" if a.usage.estimated else ""), ""]
    rows = a.ranked()
    width = max([len(k) for k, _ in rows] + [24])
    out += [f"  {key:<{width}} {amount:>12,.2f} {cur}" for key, amount in rows] or ["  no spend recorded in the period"]
    out += ["", f"  {'total':<{width}} {a.total:>12,.2f} {cur}",
            f"  {'estimate for the period':<{width}} {a.estimate_for_period:>12,.2f} {cur}"
            f"   ({a.estimate_monthly:,.2f} a month for {a.users} developers, prorated to {p.days} days)",
            f"  {'difference':<{width}} {a.total - a.estimate_for_period:>+12,.2f} {cur}"]
    if a.differences:
        out += ["", "Against the estimate, by service:"]
        sw = max(len(d.service) for d in a.differences)
        out += [f"  {d.service:<{sw}} actual {d.actual:>10,.2f}  estimated {d.estimated:>10,.2f}  {d.difference:>+10,.2f}  {d.why}"
                for d in a.differences]
    f = a.forecast
    out += ["", f"Forecast from today to the end of the month ({f.until}): " + (f"{f.amount:,.2f} {f.currency}" if f.amount is not None else f.why_not)]
    t = a.tags
    if t.why_not:
        out.append(f"Cost allocation tags: {t.why_not}")
    elif t.advice():
        out.append(f"Cost allocation tags: {t.advice()}")
    else:
        out.append(f"Cost allocation tags: {', '.join(t.active)} active")
    out += _recommendation_lines(a)
    return "\n".join(out) + "\n"


def _recommendation_lines(a: Analysis) -> list[str]:
    if a.recommendations_not_checked:
        return ["", f"Recommendations: {a.recommendations_not_checked}"]
    if not a.recommendations:
        return ["", "Recommendations: none (every bcce log group keeps its events no longer than the config says)"]
    out = ["", "Recommendations:"]
    for r in a.recommendations:
        out += [f"  {r.kind} {r.resource}: saves {r.monthly_saving_usd:,.2f} {a.usage.currency} a month",
                f"      evidence: {r.evidence}", f"      do: {r.action}"]
    return out


def render_markdown(analysis: Analysis) -> str:
    """The breakdown and the comparison as Markdown tables (for a PR comment or a wiki page)."""
    a = analysis
    cur = a.usage.currency
    out = [f"### Spend of {', '.join(a.stacks)}: {a.period.start.isoformat()} to {a.period.last_day.isoformat()} "
           f"({a.period.days} days), by {a.breakdown}", "", f"| {a.breakdown} | {cur} |", "|---|---:|"]
    out += [f"| {_cell(key)} | {amount:,.2f} |" for key, amount in a.ranked()]
    out += [f"| **total** | **{a.total:,.2f}** |", f"| estimate for the period | {a.estimate_for_period:,.2f} |", ""]
    if a.differences:
        out += ["| service | actual | estimated | difference | why |", "|---|---:|---:|---:|---|"]
        out += [f"| {_cell(d.service)} | {d.actual:,.2f} | {d.estimated:,.2f} | {d.difference:+,.2f} | {_cell(d.why)} |"
                for d in a.differences]
        out.append("")
    f = a.forecast
    out.append(f"Forecast to {f.until}: " + (f"{f.amount:,.2f} {f.currency}" if f.amount is not None else f.why_not))
    if a.recommendations:
        out += ["", f"| recommendation | resource | saving {cur}/month | evidence | do |", "|---|---|---:|---|---|"]
        out += [f"| {r.kind} | {_cell(r.resource)} | {r.monthly_saving_usd:,.2f} | {_cell(r.evidence)} | {_cell(r.action)} |"
                for r in a.recommendations]
    elif a.recommendations_not_checked:
        out += ["", f"Recommendations: {a.recommendations_not_checked}"]
    return "\n".join(out) + "\n"


def render_csv(analysis: Analysis) -> str:
    """One row per line of the breakdown: key, amount, currency, period start and end."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([analysis.breakdown, "amount", "currency", "start", "end"])
    for key, amount in analysis.ranked():
        writer.writerow([key, f"{amount:.2f}", analysis.usage.currency, analysis.period.start.isoformat(),
                         analysis.period.last_day.isoformat()])
    return buffer.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
