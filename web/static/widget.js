// The chat widget for other sites: <script src="https://BOT/widget.js" defer></script>
// adds an "Ask a question" button that opens the bot's own /embed page in a frame, so
// the chat keeps its own CSP and styles. No inline script or style: elements are
// styled through element.style, which a host page's strict CSP allows.
// Options on the script tag: data-position="left" (default right), data-question="…".
// The host page hears chatbot:open, chatbot:close and chatbot:answer on its document.
(function () {
  "use strict";
  const script =
    document.currentScript || document.querySelector('script[src*="widget"][src$=".js"]');
  if (!script || document.getElementById("chatbot-launcher")) return;
  const bot = new URL(script.src, window.location.href).origin;
  const left = script.dataset.position === "left";
  const question = script.dataset.question || "";
  const phone = window.matchMedia("(max-width: 480px)");
  let panel = null;
  let frame = null;
  let ready = false;

  function css(element, styles) {
    for (const name in styles) element.style.setProperty(name, styles[name]);
    return element;
  }

  function emit(type, detail) {
    document.dispatchEvent(new CustomEvent(type, { detail: detail || {} }));
  }

  const launcher = css(document.createElement("button"), {
    position: "fixed", bottom: "1rem", [left ? "left" : "right"]: "1rem", "z-index": "2147483646",
    padding: ".7rem 1.1rem", border: "2px solid #ffffff", "border-radius": "999px",
    background: "#0b5cad", color: "#ffffff", font: "600 1rem/1.2 system-ui, sans-serif",
    cursor: "pointer", "box-shadow": "0 2px 8px rgb(0 0 0 / 30%)",
  });
  launcher.type = "button";
  launcher.id = "chatbot-launcher";
  launcher.textContent = "Ask a question";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "chatbot-panel");

  function place() {
    const full = phone.matches;
    css(panel, {
      position: "fixed", "z-index": "2147483647", display: panel.hidden ? "none" : "flex",
      "flex-direction": "column", background: "#ffffff", "box-shadow": "0 4px 24px rgb(0 0 0 / 35%)",
      top: full ? "0" : "auto", bottom: full ? "0" : "4.5rem",
      left: full ? "0" : left ? "1rem" : "auto", right: full ? "0" : left ? "auto" : "1rem",
      width: full ? "100%" : "min(24rem, calc(100vw - 2rem))",
      height: full ? "100%" : "min(36rem, calc(100vh - 6rem))",
      "border-radius": full ? "0" : "12px", overflow: "hidden",
    });
  }

  function build() {
    panel = document.createElement("div");
    panel.id = "chatbot-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Ask a question");
    panel.hidden = true;
    const close = css(document.createElement("button"), {
      "align-self": "flex-end", margin: ".25rem", padding: ".35rem .7rem", border: "1px solid #4a5562",
      "border-radius": "6px", background: "#ffffff", color: "#1b1f24", font: "1rem system-ui, sans-serif",
      cursor: "pointer",
    });
    close.type = "button";
    close.textContent = "Close";
    close.setAttribute("aria-label", "Close the chat");
    close.addEventListener("click", () => toggle(false));
    frame = css(document.createElement("iframe"), { flex: "1", width: "100%", border: "0" });
    frame.title = "Chat: ask a question";
    const url = new URL("/embed", bot);
    url.searchParams.set("origin", window.location.origin);
    frame.src = url.href;
    frame.addEventListener("load", () => {
      ready = true;
      if (!panel.hidden) focusChat();
    });
    panel.append(close, frame);
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") toggle(false);
    });
    document.body.append(panel);
    phone.addEventListener("change", place);
  }

  function focusChat() {
    frame.focus();
    frame.contentWindow.postMessage({ type: "chatbot:open", question: question }, bot);
  }

  function toggle(open) {
    if (!panel) build();
    if (open === !panel.hidden) return;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    place();
    if (open) {
      if (ready) focusChat();
      emit("chatbot:open");
    } else {
      launcher.focus();
      emit("chatbot:close");
    }
  }

  launcher.addEventListener("click", () => toggle(!panel || panel.hidden));
  // Only the bot's own frame is heard, and only its three kinds of message.
  window.addEventListener("message", (event) => {
    if (!frame || event.origin !== bot || event.source !== frame.contentWindow) return;
    const data = event.data || {};
    if (data.type === "chatbot:escape") toggle(false);
    else if (data.type === "chatbot:answer") emit("chatbot:answer", data.detail);
  });
  document.body.append(launcher);
})();
