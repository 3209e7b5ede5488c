// Runs tv-client/schedule.js as a TV would: reads [{board, hidden_now, at}] (at: Unix ms)
// as JSON on stdin and prints, for each, the board ChalkboardSchedule.boardAt makes.
"use strict";
var fs = require("fs");
var path = require("path");
var vm = require("vm");

var sandbox = { window: {} };
vm.runInNewContext(
  fs.readFileSync(path.join(__dirname, "..", "..", "tv-client", "schedule.js"), "utf8"),
  sandbox
);
var Schedule = sandbox.window.ChalkboardSchedule;
var cases = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(function (c) {
  return Schedule.boardAt(c.board, c.hidden_now, c.at);
})));
