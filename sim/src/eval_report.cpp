#include "sim/eval_report.hpp"

#include <algorithm>
#include <cmath>

namespace rcpilot::sim {
namespace {

double mean_speed_mps(const LockstepResult& r) { return r.sim_s > 0 ? r.distance_m / r.sim_s : 0; }

// A figure that may be missing (NaN, or a lap time of a run without laps) as JSON null.
nlohmann::json maybe(double value) {
  if (std::isnan(value)) return nullptr;
  return value;
}

nlohmann::json run_json(const LockstepResult& r) {
  const bool lapped = r.laps > 0;
  return {{"laps", r.laps},
          {"off_track_events", r.off_track_events},
          {"off_track_s", r.off_track_s},
          {"mean_abs_cte_m", r.mean_abs_cte_m},
          {"max_abs_cte_m", r.max_abs_cte_m},
          {"mean_cte_m", r.mean_cte_m},
          {"mean_lap_s", lapped ? nlohmann::json(r.mean_lap_s) : nlohmann::json(nullptr)},
          {"best_lap_s", lapped ? nlohmann::json(r.best_lap_s) : nlohmann::json(nullptr)},
          {"mean_speed_mps", mean_speed_mps(r)},
          {"sim_s", r.sim_s},
          {"distance_m", r.distance_m},
          {"neutral_ticks", r.neutral_ticks}};
}

nlohmann::json ratio_json(const LockstepResult& driver, const LockstepResult& expert) {
  return {{"mean_abs_cte", maybe(ratio(driver.mean_abs_cte_m, expert.mean_abs_cte_m))},
          {"max_abs_cte", maybe(ratio(driver.max_abs_cte_m, expert.max_abs_cte_m))},
          {"mean_lap_s", maybe(ratio(driver.mean_lap_s, expert.mean_lap_s))},
          {"mean_speed", maybe(ratio(mean_speed_mps(driver), mean_speed_mps(expert)))}};
}

nlohmann::json overall_json(const std::vector<ConditionResult>& results) {
  std::vector<LockstepResult> drivers, experts;
  double worst_cte = 0, worst_lap = 0;
  int meeting = 0;
  for (const ConditionResult& r : results) {
    drivers.push_back(r.driver);
    experts.push_back(r.expert);
    // NaN (no lap) is the worst of all: it propagates through std::max's comparison otherwise.
    const double cte = ratio(r.driver.mean_abs_cte_m, r.expert.mean_abs_cte_m);
    const double lap = ratio(r.driver.mean_lap_s, r.expert.mean_lap_s);
    worst_cte = std::isnan(cte) || std::isnan(worst_cte) ? NAN : std::max(worst_cte, cte);
    worst_lap = std::isnan(lap) || std::isnan(worst_lap) ? NAN : std::max(worst_lap, lap);
    if (meets_goals(r)) ++meeting;
  }
  const LockstepResult driver = combine_runs(drivers), expert = combine_runs(experts);
  const bool lapped = !std::isnan(worst_lap);
  return {{"driver", run_json(driver)},
          {"expert", run_json(expert)},
          {"ratio", ratio_json(driver, expert)},
          {"worst_ratio", {{"mean_abs_cte", maybe(worst_cte)}, {"mean_lap_s", maybe(worst_lap)}}},
          {"goals",
           {{"no_off_track", driver.off_track_events == 0},
            {"mean_abs_cte_within_2x", !std::isnan(worst_cte) && worst_cte <= kGoalCteRatio},
            {"lap_time_within_10pct", lapped && worst_lap <= kGoalLapRatio}}},
          {"conditions", results.size()},
          {"conditions_meeting_goals", meeting}};
}

void print_row(std::FILE* out, const char* name, const char* who, const LockstepResult& r) {
  std::fprintf(out, "%-18s %-6s %4d %4d %7.2f %9.4f %9.4f %+8.4f %8.2f %8.2f %6.2f\n", name, who,
               r.laps, r.off_track_events, r.off_track_s, r.mean_abs_cte_m, r.max_abs_cte_m,
               r.mean_cte_m, r.mean_lap_s, r.best_lap_s, mean_speed_mps(r));
}

void print_ratios(std::FILE* out, const LockstepResult& driver, const LockstepResult& expert) {
  std::fprintf(out, "%-18s ratio  mean |cte| %.2fx, max |cte| %.2fx, lap %.3fx, speed %.3fx\n", "",
               ratio(driver.mean_abs_cte_m, expert.mean_abs_cte_m),
               ratio(driver.max_abs_cte_m, expert.max_abs_cte_m),
               ratio(driver.mean_lap_s, expert.mean_lap_s),
               ratio(mean_speed_mps(driver), mean_speed_mps(expert)));
}

}  // namespace

LockstepResult combine_runs(const std::vector<LockstepResult>& runs) {
  LockstepResult all;
  double abs_cte_sum = 0, cte_sum = 0, lap_s_sum = 0;
  for (const LockstepResult& r : runs) {
    all.off_track_events += r.off_track_events;
    all.off_track_s += r.off_track_s;
    all.sim_s += r.sim_s;
    all.distance_m += r.distance_m;
    all.ticks += r.ticks;
    all.neutral_ticks += r.neutral_ticks;
    all.max_abs_cte_m = std::max(all.max_abs_cte_m, r.max_abs_cte_m);
    abs_cte_sum += r.mean_abs_cte_m * r.distance_m;
    cte_sum += r.mean_cte_m * r.distance_m;
    lap_s_sum += r.mean_lap_s * r.laps;
    if (r.laps > 0) {
      all.best_lap_s = all.laps == 0 ? r.best_lap_s : std::min(all.best_lap_s, r.best_lap_s);
      all.laps += r.laps;
    }
  }
  if (all.distance_m > 0) {
    all.mean_abs_cte_m = abs_cte_sum / all.distance_m;
    all.mean_cte_m = cte_sum / all.distance_m;
  }
  if (all.laps > 0) all.mean_lap_s = lap_s_sum / all.laps;
  return all;
}

double ratio(double driver, double expert) {
  if (std::isnan(driver) || std::isnan(expert) || expert <= 0 || driver <= 0) return NAN;
  return driver / expert;
}

bool meets_goals(const ConditionResult& r) {
  const double cte = ratio(r.driver.mean_abs_cte_m, r.expert.mean_abs_cte_m);
  const double lap = ratio(r.driver.mean_lap_s, r.expert.mean_lap_s);
  return r.driver.off_track_events == 0 && r.driver.laps == r.expert.laps && cte <= kGoalCteRatio &&
         lap <= kGoalLapRatio;
}

nlohmann::json suite_json(const std::vector<ConditionResult>& results, const std::string& driver,
                          int laps) {
  nlohmann::json conditions = nlohmann::json::array();
  for (const ConditionResult& r : results) {
    conditions.push_back({{"name", r.condition.name},
                          {"track_seed", r.condition.track_seed},
                          {"road_width_m", r.condition.road_width_m},
                          {"pitch_offset_deg", r.condition.pitch_offset_deg},
                          {"track_length_m", r.track_length_m},
                          {"driver", run_json(r.driver)},
                          {"expert", run_json(r.expert)},
                          {"ratio", ratio_json(r.driver, r.expert)},
                          {"meets_goals", meets_goals(r)}});
  }
  return {{"driver", driver},
          {"laps", laps},
          {"conditions", conditions},
          {"overall", overall_json(results)}};
}

void print_suite(std::FILE* out, const std::vector<ConditionResult>& results,
                 const std::string& driver, int laps) {
  std::fprintf(out, "evaluation suite: %zu conditions, %d lap(s) each, driver %s vs expert\n",
               results.size(), laps, driver.c_str());
  std::fprintf(out, "%-18s %-6s %4s %4s %7s %9s %9s %8s %8s %8s %6s\n", "condition", "who", "laps",
               "off", "off s", "|cte| m", "max m", "bias m", "lap s", "best s", "m/s");
  std::vector<LockstepResult> drivers, experts;
  for (const ConditionResult& r : results) {
    print_row(out, r.condition.name.c_str(), driver.c_str(), r.driver);
    print_row(out, "", "expert", r.expert);
    print_ratios(out, r.driver, r.expert);
    drivers.push_back(r.driver);
    experts.push_back(r.expert);
  }
  const LockstepResult all_driver = combine_runs(drivers), all_expert = combine_runs(experts);
  print_row(out, "overall", driver.c_str(), all_driver);
  print_row(out, "", "expert", all_expert);
  print_ratios(out, all_driver, all_expert);
  const nlohmann::json goals = overall_json(results);
  std::fprintf(out,
               "goals: no off-track %s, mean |cte| within 2x %s, lap within 10 %% %s (%d of %zu "
               "conditions meet all)\n",
               goals["goals"]["no_off_track"].get<bool>() ? "met" : "MISSED",
               goals["goals"]["mean_abs_cte_within_2x"].get<bool>() ? "met" : "MISSED",
               goals["goals"]["lap_time_within_10pct"].get<bool>() ? "met" : "MISSED",
               goals["conditions_meeting_goals"].get<int>(), results.size());
}

}  // namespace rcpilot::sim
