// Asks /ask in place, so the conversation grows without reloading the page.
// Everything from the user or the server is inserted as text, never as HTML.
(function () {
  "use strict";
  const conversation = document.getElementById("conversation");
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const send = document.getElementById("send");
  const starters = document.getElementById("starters");
  if (!conversation || !form || !input || !send) return;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderAnswerText(text) {
    const container = el("div", "answer-text");
    for (const chunk of text.trim().split(/\n\s*\n/)) {
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
    const button = el("button", "chip", text);
    button.type = "button";
    button.addEventListener("click", () => ask(text));
    return button;
  }

  function addUser(text) {
    const item = el("li", "message user");
    item.appendChild(el("div", "bubble", text));
    conversation.appendChild(item);
  }

  function addBot(reply) {
    const item = el("li", "message bot band-" + reply.band);
    item.dataset.band = reply.band;
    const bubble = el("div", "bubble");
    if (reply.band === "suggest") bubble.appendChild(el("p", "band-note", "Closest matches"));
    bubble.appendChild(renderAnswerText(reply.answer));
    if (reply.source) {
      const citation = el("p", "citation", "Source: ");
      const link = el("a", "", reply.source.section + " — " + reply.source.title);
      link.href = reply.source.url;
      citation.appendChild(link);
      bubble.appendChild(citation);
    }
    if (reply.related && reply.related.length) {
      const related = el("div", "related");
      related.appendChild(el("p", "related-label", reply.answered ? "Related questions" : "Did you mean…"));
      for (const r of reply.related) related.appendChild(askButton(r.title));
      bubble.appendChild(related);
    }
    const disclaimer = el("p", "answer-disclaimer");
    disclaimer.appendChild(el("small", "", reply.disclaimer));
    bubble.appendChild(disclaimer);
    item.appendChild(bubble);
    conversation.appendChild(item);
  }

  function addError(message, question) {
    const item = el("li", "message bot band-error");
    const bubble = el("div", "bubble");
    bubble.appendChild(el("p", "", message));
    const retry = el("button", "chip", "Try again");
    retry.type = "button";
    retry.addEventListener("click", () => { item.remove(); ask(question, true); });
    bubble.appendChild(retry);
    item.appendChild(bubble);
    conversation.appendChild(item);
  }

  async function ask(question, isRetry) {
    question = question.trim();
    if (!question || send.disabled) return;
    if (starters) starters.hidden = true;
    if (!isRetry) addUser(question);
    send.disabled = true;
    send.textContent = "Thinking…";
    try {
      const response = await fetch(form.dataset.api || "/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ question: question }),
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        addError(data.detail || "Sorry, something went wrong. Please try again.", question);
      } else {
        addBot(data);
      }
    } catch (error) {
      addError("I couldn't reach the server. Check your connection and try again.", question);
    } finally {
      send.disabled = false;
      send.textContent = "Send";
      conversation.lastElementChild?.scrollIntoView({ block: "nearest" });
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value;
    input.value = "";
    ask(question);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  // Server-rendered question buttons (starters, suggestions) ask in place too.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("form.ask-inline button[name=question]");
    if (!button) return;
    event.preventDefault();
    ask(button.value);
  });
})();
