// Builds the messages of the conversation. A bot reply (bot() below) mirrors
// partials/_answer.html, whose opening comment is the one description of its structure;
// tests/browser/test_render_agreement.py keeps them equal. Everything from the user or
// the server is inserted as text, never as HTML. Used by chat.js as window.ChatMessages.
(function () {
  "use strict";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Only http(s) and same-site links, so a reply can never carry a javascript: URL.
  function safeHref(url) {
    try {
      const parsed = new URL(String(url), window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? String(url) : null;
    } catch (error) {
      return null;
    }
  }

  // Paragraphs and numbered lists, split by the rules of answer_blocks in chatbot/pages.py
  // (which spells out this script's \s and trim() white space).
  function renderAnswerText(text) {
    const container = el("div", "answer-text");
    for (const chunk of String(text).trim().split(/\n\s*\n/)) {
      const lines = chunk.split("\n").map((l) => l.trim()).filter(Boolean);
      const steps = lines.map((l) => l.match(/^([0-9]+)\.\s+([\s\S]*)$/));
      const items = lines.map((l) => l.match(/^-\s+([\s\S]*)$/));
      if (lines.length > 1 && steps.every(Boolean)) {
        const list = el("ol");
        for (const m of steps) list.appendChild(el("li", "", m[2]));
        container.appendChild(list);
      } else if (lines.length > 1 && items.every(Boolean)) {
        const list = el("ul");
        for (const m of items) list.appendChild(el("li", "", m[1]));
        container.appendChild(list);
      } else if (lines.length) {
        container.appendChild(el("p", "", lines.join(" ")));
      }
    }
    return container;
  }

  function askButton(text) {
    const wrapper = el("form", "ask-inline");
    const button = el("button", "chip", text);
    button.type = "submit";
    button.name = "question";
    button.value = text;
    wrapper.appendChild(button);
    return wrapper;
  }

  function bandText(config, band) {
    return (config.bands && config.bands[band]) || { note: "", related: "", rated: false };
  }

  function noteFor(reply, config) {
    if (reply.band === "answer" && reply.confidence < config.closeMatchBelow) return config.closeMatchNote;
    return bandText(config, reply.band).note;
  }

  // Why a reply did not help: the fixed set POST /feedback accepts (FEEDBACK_REASONS in
  // chatbot/log_rows.py), worded as the report names them (REASON_LABELS in chatbot/report.py).
  const REASONS = [
    ["wrong", "Wrong answer"],
    ["unanswered", "Didn't answer my question"],
    ["too_general", "Too general"],
  ];

  // Offered only after "No" is pressed (or restored with a "No"), never in a reply's first
  // DOM, so the server partial and this script still build the same reply. Reuses the
  // related questions' layout and chips.
  function reasons(chosen) {
    const group = el("div", "feedback-reasons related");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Why wasn't it helpful?");
    group.appendChild(el("p", "related-label", "Why wasn't it helpful?"));
    for (const [value, label] of REASONS) {
      const button = el("button", "chip reason", label);
      button.type = "button";
      button.dataset.reason = value;
      button.setAttribute("aria-pressed", String(chosen === value));
      group.appendChild(button);
    }
    return group;
  }

  function reasonLabel(value) {
    const found = REASONS.find((r) => r[0] === value);
    return found ? found[1] : "";
  }

  function feedbackBlock(helpful, reason) {
    const block = el("div", "feedback");
    block.setAttribute("role", "group");
    block.setAttribute("aria-label", "Was this helpful?");
    block.appendChild(el("span", "feedback-label", "Was this helpful?"));
    for (const [value, label] of [["true", "Yes"], ["false", "No"]]) {
      const thumb = el("button", "thumb " + (value === "true" ? "thumb-up" : "thumb-down"), label);
      thumb.type = "button";
      thumb.dataset.helpful = value;
      thumb.setAttribute("aria-pressed", String(helpful === (value === "true")));
      block.appendChild(thumb);
    }
    if (helpful === false) block.appendChild(reasons(reason));
    const status = el("span", "feedback-status");
    status.setAttribute("role", "status");
    block.appendChild(status);
    return block;
  }

  function user(text) {
    const item = el("li", "message user");
    const bubble = el("div", "bubble");
    bubble.appendChild(el("span", "visually-hidden", "You asked: "));
    bubble.appendChild(document.createTextNode(text));
    item.appendChild(bubble);
    return item;
  }

  function bot(reply, config, helpful, reason) {
    const band = String(reply.band);
    const item = el("li", "message bot band-" + band);
    item.dataset.band = band;
    if (reply.answer_id) item.dataset.answerId = String(reply.answer_id);
    const bubble = el("div", "bubble");
    bubble.appendChild(el("span", "visually-hidden", "The assistant replied: "));
    const note = noteFor(reply, config);
    if (note) bubble.appendChild(el("p", "band-note", note));
    bubble.appendChild(renderAnswerText(reply.answer));
    const href = reply.source ? safeHref(reply.source.url) : null;
    if (href) {
      const citation = el("p", "citation", "Source: ");
      const link = el("a", "", reply.source.section + " — " + reply.source.title);
      link.setAttribute("href", href);
      citation.appendChild(link);
      bubble.appendChild(citation);
    }
    if (Array.isArray(reply.related) && reply.related.length) {
      const related = el("div", "related");
      related.appendChild(el("p", "related-label", bandText(config, band).related));
      for (const r of reply.related) related.appendChild(askButton(String(r.title)));
      bubble.appendChild(related);
    }
    if (bandText(config, band).rated && reply.answer_id) {
      bubble.appendChild(feedbackBlock(helpful, reason));
    }
    bubble.appendChild(el("p", "answer-disclaimer", reply.disclaimer));
    item.appendChild(bubble);
    return item;
  }

  function error(message, onRetry) {
    const item = el("li", "message bot band-error");
    item.dataset.band = "error";
    const bubble = el("div", "bubble");
    bubble.appendChild(el("span", "visually-hidden", "The assistant replied: "));
    bubble.appendChild(el("p", "band-note", "Something went wrong"));
    bubble.appendChild(el("p", "", message));
    const retry = el("button", "chip retry", "Try again");
    retry.type = "button";
    retry.addEventListener("click", () => onRetry(item));
    bubble.appendChild(retry);
    item.appendChild(bubble);
    return item;
  }

  function typing() {
    const item = el("li", "message bot typing");
    const bubble = el("div", "bubble");
    bubble.appendChild(el("span", "visually-hidden", "The assistant is looking for an answer…"));
    const dots = el("span", "dots");
    dots.setAttribute("aria-hidden", "true");
    for (let i = 0; i < 3; i += 1) dots.appendChild(el("span"));
    bubble.appendChild(dots);
    item.appendChild(bubble);
    return item;
  }

  window.ChatMessages = {
    user: user,
    bot: bot,
    error: error,
    typing: typing,
    reasons: reasons,
    reasonLabel: reasonLabel,
  };
})();
