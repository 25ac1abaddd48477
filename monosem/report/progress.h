// Progress for long work. On a terminal: one line redrawn in place with the
// stage, the fraction done and an ETA (elapsed / done * remaining). When the
// output is not a terminal (CI logs, pipes): nothing while the stage runs and
// one line when it ends, so a log gets one line per stage and no
// carriage-return noise.
#ifndef MONOSEM_REPORT_PROGRESS_H_
#define MONOSEM_REPORT_PROGRESS_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace monosem::report {

class Progress {
 public:
  using Clock = std::function<double()>;  // seconds, monotonic

  // Writes to std::cout; a terminal when stdout is a tty (MONOSEM_PROGRESS=
  // tty / lines forces either, for tests and for people piping to `less -R`).
  // An empty `unit` hides the counts (the line shows the percentage only).
  Progress(std::string stage, int64_t total, std::string unit = "steps");
  // For tests: an explicit stream, mode and clock.
  Progress(std::string stage, int64_t total, std::string unit, std::ostream* out, bool terminal,
           Clock clock);
  ~Progress();  // Finish() if not yet called

  // `done` units of `total` are complete. On a terminal it redraws at most
  // every 0.2 s (and always at the first and last update).
  void Update(int64_t done);
  // Ends the stage: the terminal line is completed with the elapsed time, or
  // (not a terminal) the stage's one line is printed.
  void Finish(const std::string& summary = "");

  // On a terminal, erases the drawn line so that other output starts on a
  // clean line (the next Update draws it again below).
  void Interrupt();

  // "1h02m", "3m07s", "12.4s".
  static std::string FormatSeconds(double s);
  // The line drawn on a terminal (without "\r"), for tests.
  std::string Line(int64_t done, double elapsed) const;

 private:
  std::string stage_, unit_;
  int64_t total_ = 0, done_ = 0;
  std::ostream* out_;
  bool terminal_;
  Clock clock_;
  double start_ = 0, last_draw_ = -1;
  bool finished_ = false;
};

// Progress for work that cannot count its own steps (a whole reproduce
// suite): on a terminal a thread redraws the line twice a second with the
// fraction estimated as elapsed / expected seconds (capped at 99% until it
// ends, so an overrun shows as a stalled 99% rather than a negative ETA).
// Not a terminal: the stage's one line at the end, as Progress.
class TimedProgress {
 public:
  TimedProgress(std::string stage, double expected_seconds);
  ~TimedProgress();
  void Finish(const std::string& summary = "");

 private:
  struct State;
  State* state_;
};

// How long a reproduce suite usually takes on the 2-core reference machine
// (README's measured run), for TimedProgress's ETA; 60 s for a suite it does
// not know.
double ExpectedSuiteSeconds(const std::string& suite, bool quick);

// Whether stdout is a terminal, honouring MONOSEM_PROGRESS (tty / lines).
bool StdoutIsTerminal();

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_PROGRESS_H_
