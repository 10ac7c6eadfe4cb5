// Desktop Commander (a benchmark anchor) depends on puppeteer; never let it download a browser.
module.exports = { skipDownload: true };
