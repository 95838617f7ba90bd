// Parseq tab: "Send to img2img" puts the rendered manifest into the Parseq script's text box on the
// img2img tab and switches to that tab. A1111 loads this file on every page; the standalone UI injects it.
// It follows A1111's conventions: gradioApp() to reach the page, updateInput() (or an "input" event) so
// gradio sees the new value, and switch_to_img2img() to change tab.

(function () {
    "use strict";

    var MANIFEST_ID = "parseq_manifest";

    function root() {
        if (typeof window.gradioApp === "function") {
            return window.gradioApp();
        }
        var app = document.querySelector("gradio-app");
        return (app && app.shadowRoot) || document;
    }

    function manifestTextarea() {
        var holder = root().querySelector("#" + MANIFEST_ID);
        if (!holder) {
            return null;
        }
        return holder.tagName === "TEXTAREA" ? holder : holder.querySelector("textarea");
    }

    function announceInput(textarea) {
        if (typeof window.updateInput === "function") {
            window.updateInput(textarea);
            return;
        }
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function switchToImg2img() {
        if (typeof window.switch_to_img2img === "function") {
            window.switch_to_img2img();
            return;
        }
        var buttons = root().querySelectorAll("#tabs > div > button, #tabs button");
        for (var i = 0; i < buttons.length; i++) {
            if (buttons[i].textContent.trim().toLowerCase() === "img2img") {
                buttons[i].click();
                return;
            }
        }
    }

    // Returns the note shown under the button (gradio puts the return value into the note component).
    window.parseqSendToImg2img = function (manifestText) {
        if (!manifestText) {
            return "Nothing to send: the document does not compile yet (see the error above).";
        }
        var textarea = manifestTextarea();
        if (!textarea) {
            return "There is no img2img tab with the Parseq script on this page (the standalone editor has none). " +
                "Download the manifest, or paste it into the Parseq script's text box in AUTOMATIC1111.";
        }
        textarea.value = manifestText;
        announceInput(textarea);
        switchToImg2img();
        return "Sent to img2img: choose \"Parseq\" in the img2img Script menu if it is not selected.";
    };
})();
