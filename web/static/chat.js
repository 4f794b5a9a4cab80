// The chat page's behaviour: asks /ask in place, keeps the conversation for the tab
// (sessionStorage), posts thumbs to /feedback, and reports failures in the conversation.
// Replies are built with the same structure as partials/_answer.html, and everything
// from the user or the server is inserted as text, never as HTML.
(function () {
  "use strict";
  const conversation = document.getElementById("conversation");
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const send = document.getElementById("send");
  const starters = document.getElementById("starters");
  const clearForm = document.getElementById("clear-form");
  if (!conversation || !form || !input || !send) return;

  const STORAGE_KEY = "chatbot.conversation";
  const MAX_STORED = 50;
  const config = JSON.parse(conversation.dataset.bands || "{}");
  let turns = [];
  let busy = false;

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

  function load() {
    try {
      const stored = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "[]");
      return Array.isArray(stored)
        ? stored.filter((t) => t && typeof t.question === "string" && t.reply && typeof t.reply.answer === "string")
        : [];
    } catch (error) {
      return [];
    }
  }

  function save() {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(turns.slice(-MAX_STORED)));
    } catch (error) {
      // Storage full or disabled: the conversation still works, it just won't survive a reload.
    }
  }

  function renderAnswerText(text) {
    const container = el("div", "answer-text");
    for (const chunk of String(text).trim().split(/\n\s*\n/)) {
      const lines = chunk.split("\n").map((l) => l.trim()).filter(Boolean);
      const steps = lines.map((l) => l.match(/^(\d+)\.\s+(.*)$/));
      if (lines.length > 1 && steps.every(Boolean)) {
        const list = el("ol");
        for (const m of steps) list.appendChild(el("li", "", m[2]));
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

  function bandText(band) {
    return (config.bands && config.bands[band]) || { note: "", related: "", rated: false };
  }

  function noteFor(reply) {
    if (reply.band === "answer" && reply.confidence < config.closeMatchBelow) return config.closeMatchNote;
    return bandText(reply.band).note;
  }

  function feedbackBlock(helpful) {
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
    const status = el("span", "feedback-status");
    status.setAttribute("role", "status");
    block.appendChild(status);
    return block;
  }

  function addUser(text) {
    const item = el("li", "message user");
    const bubble = el("div", "bubble");
    bubble.appendChild(el("span", "visually-hidden", "You asked: "));
    bubble.appendChild(document.createTextNode(text));
    item.appendChild(bubble);
    conversation.appendChild(item);
    return item;
  }

  function addBot(reply, helpful) {
    const band = String(reply.band);
    const item = el("li", "message bot band-" + band);
    item.dataset.band = band;
    item.dataset.answerId = String(reply.answer_id || "");
    const bubble = el("div", "bubble");
    bubble.appendChild(el("span", "visually-hidden", "The assistant replied: "));
    const note = noteFor(reply);
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
      related.appendChild(el("p", "related-label", bandText(band).related));
      for (const r of reply.related) related.appendChild(askButton(String(r.title)));
      bubble.appendChild(related);
    }
    if (bandText(band).rated) bubble.appendChild(feedbackBlock(helpful));
    bubble.appendChild(el("p", "answer-disclaimer", reply.disclaimer));
    item.appendChild(bubble);
    conversation.appendChild(item);
    return item;
  }

  function addError(message, question) {
    const item = el("li", "message bot band-error");
    item.dataset.band = "error";
    const bubble = el("div", "bubble");
    bubble.appendChild(el("span", "visually-hidden", "The assistant replied: "));
    bubble.appendChild(el("p", "band-note", "Something went wrong"));
    bubble.appendChild(el("p", "", message));
    const retry = el("button", "chip retry", "Try again");
    retry.type = "button";
    retry.addEventListener("click", () => {
      item.remove();
      ask(question, true);
    });
    bubble.appendChild(retry);
    item.appendChild(bubble);
    conversation.appendChild(item);
    return item;
  }

  function addTyping() {
    const item = el("li", "message bot typing");
    const bubble = el("div", "bubble");
    bubble.appendChild(el("span", "visually-hidden", "The assistant is looking for an answer…"));
    const dots = el("span", "dots");
    dots.setAttribute("aria-hidden", "true");
    for (let i = 0; i < 3; i += 1) dots.appendChild(el("span"));
    bubble.appendChild(dots);
    item.appendChild(bubble);
    conversation.appendChild(item);
    return item;
  }

  // Long replies show from their start; short ones sit just above the question box.
  function reveal(item) {
    const fits = item.getBoundingClientRect().height < window.innerHeight * 0.6;
    item.scrollIntoView({ block: fits ? "end" : "start" });
  }

  function setBusy(value) {
    busy = value;
    send.disabled = value;
    send.setAttribute("aria-busy", String(value));
    send.querySelector(".send-label").textContent = value ? "Thinking…" : "Send";
    conversation.setAttribute("aria-busy", String(value));
  }

  function showConversationState() {
    const empty = conversation.children.length === 0;
    if (starters) starters.hidden = !empty;
    if (clearForm) clearForm.hidden = empty;
  }

  async function ask(question, isRetry) {
    question = String(question).trim();
    if (!question || busy) return false;
    if (!isRetry) addUser(question);
    showConversationState();
    setBusy(true);
    const typing = addTyping();
    reveal(typing);
    let shown;
    try {
      const response = await fetch(form.dataset.api || "/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ question: question }),
      });
      const data = await response.json().catch(() => ({}));
      typing.remove();
      if (response.ok && typeof data.answer === "string") {
        shown = addBot(data);
        turns.push({ question: question, reply: data });
        save();
      } else {
        const detail = typeof data.detail === "string" ? data.detail : "";
        shown = addError(detail || "Sorry, something went wrong on our side. Please try again.", question);
      }
    } catch (error) {
      typing.remove();
      shown = addError("I couldn't reach the server. Check your connection and try again.", question);
    } finally {
      setBusy(false);
    }
    reveal(shown);
    return true;
  }

  async function sendFeedback(thumb) {
    const block = thumb.closest(".feedback");
    const item = thumb.closest(".message");
    if (!block || !item) return;
    const helpful = thumb.dataset.helpful === "true";
    for (const other of block.querySelectorAll(".thumb")) {
      other.setAttribute("aria-pressed", String(other === thumb));
    }
    const status = block.querySelector(".feedback-status");
    try {
      const response = await fetch("/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ answer_id: item.dataset.answerId, helpful: helpful }),
      });
      if (!response.ok) throw new Error(String(response.status));
      status.textContent = "Thanks for your feedback.";
      const turn = turns.find((t) => t.reply.answer_id === item.dataset.answerId);
      if (turn) {
        turn.helpful = helpful;
        save();
      }
    } catch (error) {
      thumb.setAttribute("aria-pressed", "false");
      status.textContent = "Your feedback could not be sent. Please try again.";
    }
  }

  function clearConversation() {
    turns = [];
    save();
    conversation.replaceChildren();
    showConversationState();
    input.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    const question = input.value;
    if (!question.trim()) {
      input.focus();
      return;
    }
    input.value = "";
    await ask(question);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  // Question buttons (starters, suggestions, related) ask in place instead of posting the page.
  document.addEventListener("submit", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLFormElement) || !target.classList.contains("ask-inline")) return;
    event.preventDefault();
    const button = event.submitter || target.querySelector("button[name=question]");
    if (button) ask(button.value);
  });
  conversation.addEventListener("click", (event) => {
    const thumb = event.target.closest(".thumb");
    if (thumb) sendFeedback(thumb);
  });
  if (clearForm) {
    clearForm.addEventListener("submit", (event) => {
      event.preventDefault();
      clearConversation();
    });
  }

  // A page the server rendered with a conversation (a form post) keeps it; otherwise
  // the conversation of this tab comes back from storage.
  if (conversation.children.length === 0) {
    turns = load();
    for (const turn of turns) {
      addUser(turn.question);
      addBot(turn.reply, turn.helpful);
    }
    if (turns.length) conversation.lastElementChild.scrollIntoView({ block: "end" });
  }
  for (const block of conversation.querySelectorAll(".feedback[hidden]")) block.hidden = false;
  showConversationState();
})();
