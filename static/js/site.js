// Starts the design system's components (the mobile menu, accordions, the error summary).
document.addEventListener("DOMContentLoaded", () => window.DKFDS.init());
