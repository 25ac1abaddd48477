#include "monosem/report/progress.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace monosem::report {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

bool StdoutIsTerminal() {
  if (const char* e = std::getenv("MONOSEM_PROGRESS")) {
    if (std::strcmp(e, "tty") == 0) return true;
    if (std::strcmp(e, "lines") == 0) return false;
  }
  return isatty(STDOUT_FILENO) == 1;
}

Progress::Progress(std::string stage, int64_t total, std::string unit)
    : Progress(std::move(stage), total, std::move(unit), &std::cout, StdoutIsTerminal(), Now) {}

Progress::Progress(std::string stage, int64_t total, std::string unit, std::ostream* out,
                   bool terminal, Clock clock)
    : stage_(std::move(stage)),
      unit_(std::move(unit)),
      total_(total),
      out_(out),
      terminal_(terminal),
      clock_(std::move(clock)) {
  start_ = clock_();
}

Progress::~Progress() {
  if (!finished_) Finish();
}

std::string Progress::FormatSeconds(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60) return absl::StrFormat("%.1fs", s);
  const int64_t t = static_cast<int64_t>(std::llround(s));
  if (t < 3600) return absl::StrFormat("%dm%02ds", t / 60, t % 60);
  return absl::StrFormat("%dh%02dm", t / 3600, (t % 3600) / 60);
}

std::string Progress::Line(int64_t done, double elapsed) const {
  const double frac = total_ > 0 ? static_cast<double>(done) / total_ : 0;
  // The first moments say nothing about the rate; no ETA until 1% is done.
  const std::string eta = done > 0 && frac >= 0.01
                              ? FormatSeconds(elapsed / done * (total_ - done))
                              : "?";
  const std::string counts = unit_.empty() ? "" : absl::StrFormat(" %d/%d %s", done, total_, unit_);
  return absl::StrFormat("%s: %3d%%%s, %s elapsed, ETA %s", stage_,
                         static_cast<int>(std::floor(100 * frac)), counts, FormatSeconds(elapsed),
                         eta);
}

void Progress::Update(int64_t done) {
  done_ = done;
  if (!terminal_ || finished_) return;
  const double now = clock_();
  if (last_draw_ >= 0 && now - last_draw_ < 0.2 && done < total_) return;
  last_draw_ = now;
  // \x1b[K clears what a longer previous line left behind.
  *out_ << "\r" << Line(done, now - start_) << "\x1b[K" << std::flush;
}

void Progress::Interrupt() {
  if (terminal_ && last_draw_ >= 0) *out_ << "\r\x1b[K" << std::flush;
  last_draw_ = -1;
}

void Progress::Finish(const std::string& summary) {
  if (finished_) return;
  finished_ = true;
  const double elapsed = clock_() - start_;
  std::string line = unit_.empty() ? absl::StrCat(stage_, ": done in ", FormatSeconds(elapsed))
                                   : absl::StrCat(stage_, ": done, ", done_, "/", total_, " ",
                                                  unit_, " in ", FormatSeconds(elapsed));
  if (!summary.empty()) absl::StrAppend(&line, " (", summary, ")");
  if (terminal_) {
    *out_ << "\r" << line << "\x1b[K\n" << std::flush;
  } else {
    *out_ << line << "\n" << std::flush;
  }
}

struct TimedProgress::State {
  // Progress counts thousandths of the expected time.
  Progress progress;
  double expected;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread ticker;
  State(std::string stage, double expected_seconds)
      : progress(std::move(stage), 1000, ""), expected(expected_seconds) {}
};

TimedProgress::TimedProgress(std::string stage, double expected_seconds)
    : state_(new State(std::move(stage), expected_seconds)) {
  if (!StdoutIsTerminal()) return;
  State* st = state_;
  const double start = Now();
  st->ticker = std::thread([st, start] {
    std::unique_lock<std::mutex> lock(st->mu);
    while (!st->done) {
      const double frac = std::min(0.99, (Now() - start) / std::max(st->expected, 1e-3));
      st->progress.Update(static_cast<int64_t>(frac * 1000));
      st->cv.wait_for(lock, std::chrono::milliseconds(500));
    }
  });
}

void TimedProgress::Finish(const std::string& summary) {
  if (state_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->done = true;
  }
  state_->cv.notify_all();
  if (state_->ticker.joinable()) state_->ticker.join();
  state_->progress.Update(1000);
  state_->progress.Finish(summary);
  delete state_;
  state_ = nullptr;
}

TimedProgress::~TimedProgress() { Finish(); }

}  // namespace monosem::report
