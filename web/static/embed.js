// The framed chat talks to the widget on the host page: it tells it about answers and
// Escape, and takes "open" (focus, a first question) from it. Only the origins of
// CHATBOT_EMBED_ORIGINS are written to or listened to, so no other page can read answers
// or type into the chat.
(function () {
  "use strict";
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const conversation = document.getElementById("conversation");
  if (!form || !input || !conversation || window.parent === window) return;
  let allowed = [];
  try {
    allowed = JSON.parse(form.dataset.embedOrigins || "[]");
  } catch (error) {
    allowed = [];
  }
  // The host page names its origin; it is believed only if it is an allowed one (and the
  // browser has already refused the frame to any other, through frame-ancestors).
  const claimed = new URLSearchParams(window.location.search).get("origin");
  const host = allowed.indexOf(claimed) >= 0 ? claimed : null;
  if (!host) return;

  function tell(type, detail) {
    window.parent.postMessage({ type: type, detail: detail || {} }, host);
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== host || event.source !== window.parent) return;
    const data = event.data || {};
    if (data.type === "chatbot:open") {
      if (typeof data.question === "string" && data.question && !input.value) {
        input.value = data.question.slice(0, Number(input.maxLength) || 1000);
      }
      input.focus();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") tell("chatbot:escape");
  });
  // A finished reply (not the typing indicator) is an answer for the host page to hear.
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (!(node instanceof HTMLElement) || !node.classList.contains("bot")) continue;
        if (node.classList.contains("typing")) continue;
        const link = node.querySelector(".citation a");
        tell("chatbot:answer", {
          band: node.dataset.band || "",
          answerId: node.dataset.answerId || null,
          source: link ? link.href : null,
        });
      }
    }
  }).observe(conversation, { childList: true });
  tell("chatbot:ready");
})();
