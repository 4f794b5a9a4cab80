// The chat page's behaviour: asks /ask in place, keeps the conversation for the tab
// (sessionStorage), posts thumbs to /feedback (and, after a "No", the reason picked), and
// reports failures in the conversation.
// messages.js builds the messages themselves.
(function () {
  "use strict";
  const messages = window.ChatMessages;
  const conversation = document.getElementById("conversation");
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const send = document.getElementById("send");
  const starters = document.getElementById("starters");
  const clearForm = document.getElementById("clear-form");
  if (!messages || !conversation || !form || !input || !send) return;

  const STORAGE_KEY = "chatbot.conversation";
  const MAX_STORED = 50;
  // As many earlier questions as POST /ask accepts (MAX_HISTORY in chatbot/response.py).
  const MAX_HISTORY = 10;
  const config = JSON.parse(conversation.dataset.bands || "{}");
  let turns = [];
  let busy = false;

  function show(item) {
    conversation.appendChild(item);
    return item;
  }

  function retry(failed, question) {
    failed.remove();
    ask(question, true);
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

  // Short replies sit just above the question box; a long one shows from the question
  // that asked it, so both are in view.
  function reveal(item) {
    const fits = item.getBoundingClientRect().height < window.innerHeight * 0.6;
    if (fits) {
      item.scrollIntoView({ block: "end" });
      return;
    }
    const asked = item.previousElementSibling;
    const top = asked && asked.classList.contains("user") ? asked : item;
    top.scrollIntoView({ block: "start" });
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
    if (!isRetry) show(messages.user(question));
    showConversationState();
    setBusy(true);
    const typing = show(messages.typing());
    reveal(typing);
    let shown;
    try {
      const response = await fetch(form.dataset.api || "/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        // Earlier questions let the server understand a follow-up ("and how often?").
        body: JSON.stringify({
          question: question,
          history: turns.slice(-MAX_HISTORY).map((t) => t.question),
        }),
      });
      const data = await response.json().catch(() => ({}));
      typing.remove();
      if (response.ok && typeof data.answer === "string") {
        shown = show(messages.bot(data, config));
        turns.push({ question: question, reply: data });
        save();
      } else {
        const detail = typeof data.detail === "string" ? data.detail : "";
        const message = detail || "Sorry, something went wrong on our side. Please try again.";
        shown = show(messages.error(message, (item) => retry(item, question)));
      }
    } catch (error) {
      typing.remove();
      const message = "I couldn't reach the server. Check your connection and try again.";
      shown = show(messages.error(message, (item) => retry(item, question)));
    } finally {
      setBusy(false);
    }
    reveal(shown);
    return true;
  }

  // One vote per reply, kept by the server: each post replaces the reply's last one.
  async function postFeedback(item, helpful, reason) {
    const body = { answer_id: item.dataset.answerId, helpful: helpful };
    if (reason) body.reason = reason;
    const response = await fetch("/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(String(response.status));
    const turn = turns.find((t) => t.reply.answer_id === item.dataset.answerId);
    if (turn) {
      turn.helpful = helpful;
      turn.reason = reason || undefined;
      save();
    }
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
    const offered = block.querySelector(".feedback-reasons");
    try {
      await postFeedback(item, helpful, null);
      status.textContent = "Thanks for your feedback.";
      // A new "No" starts without a reason, as the server now has it; "Yes" needs none.
      if (offered) offered.remove();
      if (!helpful) block.insertBefore(messages.reasons(null), status);
    } catch (error) {
      thumb.setAttribute("aria-pressed", "false");
      status.textContent = "Your feedback could not be sent. Please try again.";
    }
  }

  async function sendReason(button) {
    const block = button.closest(".feedback");
    const item = button.closest(".message");
    if (!block || !item) return;
    const reason = button.dataset.reason;
    for (const other of block.querySelectorAll(".reason")) {
      other.setAttribute("aria-pressed", String(other === button));
    }
    const status = block.querySelector(".feedback-status");
    try {
      await postFeedback(item, false, reason);
      status.textContent = "Thanks: noted as “" + messages.reasonLabel(reason) + "”.";
    } catch (error) {
      button.setAttribute("aria-pressed", "false");
      status.textContent = "Your reason could not be sent. Please try again.";
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
    const reason = event.target.closest(".reason");
    if (reason) sendReason(reason);
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
      show(messages.user(turn.question));
      show(messages.bot(turn.reply, config, turn.helpful, turn.reason));
    }
    if (turns.length) conversation.lastElementChild.scrollIntoView({ block: "end" });
  }
  for (const block of conversation.querySelectorAll(".feedback[hidden]")) block.hidden = false;
  showConversationState();
})();
