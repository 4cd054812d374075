#include "valleys/realnets/height_search.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace valleys::realnets {

bool HeightSearchOptions::IsValid(std::string* why) const {
  auto fail = [&](const std::string& m) {
    if (why) *why = m;
    return false;
  };
  if (heights.empty() || heights.size() > 64)
    return fail(
        fmt::format("HeightSearchOptions::heights has {} values (allowed: 1..64)", heights.size()));
  for (std::size_t i = 0; i < heights.size(); ++i) {
    if (!(std::isfinite(heights[i]) && heights[i] > 0))
      return fail(
          fmt::format("HeightSearchOptions::heights = {} (allowed: finite, > 0)", heights[i]));
    if (i > 0 && !(heights[i] > heights[i - 1]))
      return fail("HeightSearchOptions::heights must be increasing");
  }
  if (!(max_offset > 0 && max_offset < 1e6))
    return fail(
        fmt::format("HeightSearchOptions::max_offset = {} (allowed: 0 < T < 1e6)", max_offset));
  if (!(first_step >= 0 && first_step <= max_offset))
    return fail(fmt::format(
        "HeightSearchOptions::first_step = {} (allowed: 0 (max_offset / 16) or up to max_offset "
        "= {})",
        first_step, max_offset));
  if (!(tolerance >= 1e-6 && tolerance <= 0.5))
    return fail(fmt::format("HeightSearchOptions::tolerance = {} (allowed: 1e-6..0.5)", tolerance));
  if (max_refinements < 0 || max_refinements > 100)
    return fail(fmt::format("HeightSearchOptions::max_refinements = {} (allowed: 0..100)",
                            max_refinements));
  return true;
}

namespace {

struct Point {
  double offset, rise;  // |t| and loss(side * |t|) - centre
};

// One side's search: `points` holds (0, 0) and every evaluated offset of this side, sorted.
class SideSearch {
 public:
  SideSearch(const HeightSearchOptions& o, int side, double centre,
             const std::function<double(double)>& loss_at,
             const std::function<void(double, const HeightCrossing&)>& on_accept, int* evaluations)
      : o_(o),
        side_(side),
        centre_(centre),
        loss_at_(loss_at),
        on_accept_(on_accept),
        evaluations_(evaluations),
        found_(o.heights.size()),
        done_(o.heights.size(), false) {
    points_.push_back({0.0, 0.0});
    for (std::size_t i = 0; i < o.heights.size(); ++i) found_[i].height = o.heights[i];
  }

  std::vector<HeightCrossing> Run() {
    double t = o_.first_step > 0 ? o_.first_step : o_.max_offset / 16;
    while (true) {
      const Point p = Evaluate(t);
      AcceptNear(p, "height");
      for (std::size_t i = 0; i < found_.size(); ++i)
        if (!done_[i] && p.rise >= found_[i].height) Refine(i);
      if (AllDone() || t >= o_.max_offset) break;
      t = NextScanOffset();
    }
    for (std::size_t i = 0; i < found_.size(); ++i)
      if (!done_[i]) {
        found_[i].offset = o_.max_offset;
        found_[i].rise = points_.back().rise;
        found_[i].censored = true;
        found_[i].accepted_by = "censored";
      }
    return found_;
  }

  const std::vector<Point>& points() const { return points_; }

 private:
  Point Evaluate(double offset) {
    const double loss = loss_at_(side_ * offset);
    ++*evaluations_;
    if (!std::isfinite(loss))
      throw std::invalid_argument(fmt::format(
          "SearchHeights: the loss at t = {} is not finite ({})", side_ * offset, loss));
    const Point p{offset, loss - centre_};
    last_ = offset;
    for (Point& q : points_)
      if (q.offset == offset) {  // evaluated again for the caller's state: same offset, new loss
        q = p;
        return p;
      }
    points_.insert(
        std::upper_bound(points_.begin(), points_.end(), p,
                         [](const Point& a, const Point& b) { return a.offset < b.offset; }),
        p);
    return p;
  }

  void Accept(std::size_t i, const Point& p, const char* how) {
    done_[i] = true;
    found_[i].offset = p.offset;
    found_[i].rise = p.rise;
    found_[i].accepted_by = how;
    if (on_accept_) on_accept_(side_ * p.offset, found_[i]);
  }

  // Accepts every open height whose first crossing is p and whose rise p matches within tolerance.
  void AcceptNear(const Point& p, const char* how) {
    for (std::size_t i = 0; i < found_.size(); ++i)
      if (!done_[i] && std::abs(p.rise - found_[i].height) <= o_.tolerance * found_[i].height &&
          FirstAtLeast(found_[i].height * (1 - o_.tolerance)) >= p.offset)
        Accept(i, p, how);
  }

  // The smallest evaluated offset whose rise reaches h (infinity if none).
  double FirstAtLeast(double h) const {
    for (const Point& p : points_)
      if (p.offset > 0 && p.rise >= h) return p.offset;
    return INFINITY;
  }

  // Narrows height i's bracket: the first evaluated point at or above it and its predecessor.
  void Refine(std::size_t i) {
    const double h = found_[i].height;
    for (int step = 0; step < o_.max_refinements && !done_[i]; ++step) {
      std::size_t k = 1;
      while (points_[k].rise < h) ++k;
      const Point a = points_[k - 1], b = points_[k];
      if (b.offset / std::max(a.offset, 1e-300) - 1 <= o_.tolerance && a.offset > 0) {
        // The bracket is narrow: accept b (the first point at or above h) if it was the last one
        // evaluated, else evaluate it again so the caller sees its state.
        Accept(i, last_ == b.offset ? b : Evaluate(b.offset), "bracket");
        return;
      }
      double next = 0.5 * (a.offset + b.offset);
      if (a.offset > 0 && a.rise > 0 && b.rise > 0) {
        const double la = std::log(a.offset), lb = std::log(b.offset);
        const double ra = std::log(a.rise), rb = std::log(b.rise);
        if (rb > ra) next = std::exp(la + (std::log(h) - ra) * (lb - la) / (rb - ra));
      } else if (b.rise > a.rise) {
        next = a.offset + (h - a.rise) * (b.offset - a.offset) / (b.rise - a.rise);
      }
      const double lo = a.offset + 0.1 * (b.offset - a.offset);
      const double hi = b.offset - 0.1 * (b.offset - a.offset);
      if (!(next >= lo && next <= hi)) next = std::clamp(next, lo, hi);
      AcceptNear(Evaluate(next), "height");
    }
    if (!done_[i]) {
      std::size_t k = 1;
      while (points_[k].rise < h) ++k;
      Accept(i, last_ == points_[k].offset ? points_[k] : Evaluate(points_[k].offset),
             "refinements");
    }
  }

  // The scan's next offset: where a power law through the last two points of the scan (a
  // parabola through the first one) reaches the lowest open height, kept within 1.05x..4x of the
  // last offset (twice it when no rise is positive yet); max_offset itself once that is at least
  // half of max_offset.
  double NextScanOffset() const {
    const Point& b = points_.back();
    double next = 2 * b.offset;
    double h = 0;
    for (std::size_t i = 0; i < found_.size(); ++i)
      if (!done_[i]) {
        h = found_[i].height;
        break;
      }
    if (b.rise > 0 && h > b.rise) {
      double power = 2;
      const Point& a = points_[points_.size() - 2];
      if (a.offset > 0 && a.rise > 0 && b.rise > a.rise)
        power = std::clamp(std::log(b.rise / a.rise) / std::log(b.offset / a.offset), 0.5, 8.0);
      next = b.offset * std::pow(h / b.rise, 1 / power);
    }
    next = std::clamp(next, 1.05 * b.offset, 4 * b.offset);
    return next >= 0.5 * o_.max_offset ? o_.max_offset : next;
  }

  bool AllDone() const {
    return std::all_of(done_.begin(), done_.end(), [](bool d) { return d; });
  }

  const HeightSearchOptions& o_;
  const int side_;
  const double centre_;
  const std::function<double(double)>& loss_at_;
  const std::function<void(double, const HeightCrossing&)>& on_accept_;
  int* evaluations_;
  std::vector<Point> points_;
  std::vector<HeightCrossing> found_;
  std::vector<bool> done_;
  double last_ = -1;  // the offset evaluated last
};

}  // namespace

HeightSearchResult SearchHeights(
    const HeightSearchOptions& o, const std::function<double(double)>& loss_at,
    const std::function<void(double, const HeightCrossing&)>& on_accept) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  HeightSearchResult r;
  r.centre_loss = loss_at(0.0);
  r.evaluations = 1;
  if (!std::isfinite(r.centre_loss))
    throw std::invalid_argument(
        fmt::format("SearchHeights: the loss at t = 0 is not finite ({})", r.centre_loss));
  SideSearch plus(o, +1, r.centre_loss, loss_at, on_accept, &r.evaluations);
  r.positive = plus.Run();
  SideSearch minus(o, -1, r.centre_loss, loss_at, on_accept, &r.evaluations);
  r.negative = minus.Run();
  for (auto it = minus.points().rbegin(); it != minus.points().rend(); ++it)
    if (it->offset > 0) {
      r.t.push_back(-it->offset);
      r.loss.push_back(it->rise + r.centre_loss);
    }
  r.t.push_back(0.0);
  r.loss.push_back(r.centre_loss);
  for (const Point& p : plus.points())
    if (p.offset > 0) {
      r.t.push_back(p.offset);
      r.loss.push_back(p.rise + r.centre_loss);
    }
  return r;
}

}  // namespace valleys::realnets
