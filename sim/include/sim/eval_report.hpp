#pragma once
// Figures of an evaluation suite run (eval_suite.hpp): per condition and overall, the driver
// under test against the expert, and issue 20's goals; as a text table or as JSON.
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/eval_suite.hpp"

namespace rcpilot::sim {

// Issue 20's goals for the driver under test, per condition.
constexpr double kGoalCteRatio = 2.0;   // mean |cte| at most 2x the expert's
constexpr double kGoalLapRatio = 1.10;  // mean lap time at most 10 % over the expert's

// Several runs as one: counts and times add up, mean |cte| and bias are weighted by distance,
// max |cte| is the largest, mean lap time is over all laps and best lap the shortest.
LockstepResult combine_runs(const std::vector<LockstepResult>& runs);

// Driver / expert; NaN when either figure is missing (no lap) or the expert's is 0.
double ratio(double driver, double expert);

// Whether the driver meets every goal on `r`: no off-track, both ratios within the goals.
bool meets_goals(const ConditionResult& r);

// The whole run as JSON: {"driver", "laps", "conditions": [...], "overall": {...}}; missing
// figures (no lap, no ratio) are null.
nlohmann::json suite_json(const std::vector<ConditionResult>& results, const std::string& driver,
                          int laps);

// The same figures as a table on `out`.
void print_suite(std::FILE* out, const std::vector<ConditionResult>& results,
                 const std::string& driver, int laps);

}  // namespace rcpilot::sim
