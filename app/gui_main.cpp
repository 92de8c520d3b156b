// convexnn-studio: the desktop application. Wiring only: options, the main window, and the
// scripted modes used for screenshots and the responsiveness measurement.
#include <QApplication>
#include <QCommandLineParser>
#include <QScreen>
#include <QTimer>
#include <cstdio>
#include <memory>

#include "baseline_panel.h"
#include "boundary_panel.h"
#include "convexnn/errors.h"
#include "convexnn/generators.h"
#include "convexnn/heap_policy.h"
#include "dataset_panel.h"
#include "latency_probe.h"
#include "main_window.h"
#include "model_panel.h"

namespace {

bool save_screenshot(QWidget* window, const QString& path) {
  const bool ok = window->grab().save(path);
  std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "screenshot written:" : "cannot write",
               qPrintable(path));
  return ok;
}

}  // namespace

int main(int argc, char* argv[]) {
  // Runs keep their freed memory (faster solves); the controller returns it when a run ends.
  convexnn::keep_freed_heap();
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("ConvexNN"));
  QApplication::setApplicationName(QStringLiteral("ConvexNN Studio"));
  QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/convexnn-studio.svg")));
  QApplication::setDesktopFileName(QStringLiteral("convexnn-studio"));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Train two-layer ReLU networks to a certified global optimum, live."));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption dataset_option(QStringLiteral("dataset"),
                                          QStringLiteral("Built-in dataset to start with."),
                                          QStringLiteral("name"), QStringLiteral("xor"));
  const QCommandLineOption samples_option(QStringLiteral("n"), QStringLiteral("Number of points."),
                                          QStringLiteral("count"), QStringLiteral("80"));
  const QCommandLineOption csv_option(QStringLiteral("csv"), QStringLiteral("Open a CSV file."),
                                      QStringLiteral("path"));
  const QCommandLineOption session_option(
      QStringLiteral("session"), QStringLiteral("Open a saved session."), QStringLiteral("path"));
  const QCommandLineOption run_option(QStringLiteral("run"), QStringLiteral("Start training."));
  const QCommandLineOption neurons_option(QStringLiteral("show-neurons"),
                                          QStringLiteral("Draw the neurons' hyperplanes."));
  const QCommandLineOption boxes_option(
      QStringLiteral("show-boxes"),
      QStringLiteral("Draw the l-infinity boxes of radius epsilon around the training points."));
  const QCommandLineOption epsilon_option(QStringLiteral("epsilon"),
                                          QStringLiteral("Adversarial radius epsilon."),
                                          QStringLiteral("value"));
  const QCommandLineOption compare_option(
      QStringLiteral("compare-seeds"),
      QStringLiteral("After training, run back-propagation from this many seeds to compare."),
      QStringLiteral("count"));
  const QCommandLineOption certify_best_option(
      QStringLiteral("certify-best"),
      QStringLiteral("With --compare-seeds: then certify the best seed and re-solve from it."));
  const QCommandLineOption robust_after_option(
      QStringLiteral("robust-after"),
      QStringLiteral("After the first training, pin its boundary and train again robustly at "
                     "--epsilon (standard vs robust on the same data)."));
  const QCommandLineOption screenshot_option(
      QStringLiteral("screenshot"), QStringLiteral("Save a screenshot of the window and quit."),
      QStringLiteral("png"));
  const QCommandLineOption screenshot_at_option(
      QStringLiteral("screenshot-at"),
      QStringLiteral("When to take it: 'converged' or a delay in milliseconds after start."),
      QStringLiteral("when"), QStringLiteral("converged"));
  const QCommandLineOption latency_option(
      QStringLiteral("latency-probe"),
      QStringLiteral("Train and measure the event loop's lateness (5 ms timer) for this many "
                     "seconds, print percentiles and quit."),
      QStringLiteral("seconds"));
  const QCommandLineOption activation_option(
      QStringLiteral("activation"),
      QStringLiteral("Hidden activation: relu, leaky-relu, abs, quadratic or poly2."),
      QStringLiteral("name"));
  const QCommandLineOption leaky_slope_option(QStringLiteral("leaky-slope"),
                                              QStringLiteral("Slope of the leaky ReLU."),
                                              QStringLiteral("kappa"));
  const QCommandLineOption poly_option(QStringLiteral("poly"),
                                       QStringLiteral("Coefficients a,b,c of poly2."),
                                       QStringLiteral("a,b,c"));
  const QCommandLineOption solver_option(QStringLiteral("solver"),
                                         QStringLiteral("Solver: admm, al, gated or scp."),
                                         QStringLiteral("name"));
  const QCommandLineOption grow_option(
      QStringLiteral("grow"),
      QStringLiteral("Grow patterns (ADMM) or neurons (SCP) by column generation."));
  const QCommandLineOption slide_option(
      QStringLiteral("slide"),
      QStringLiteral("With --solver scp --grow: slide the grown neurons by L-BFGS at the end."));
  parser.addOptions({activation_option, leaky_slope_option, poly_option, solver_option, grow_option,
                     slide_option});
  parser.addOptions({dataset_option, samples_option, csv_option, session_option, run_option,
                     neurons_option, boxes_option, epsilon_option, compare_option,
                     certify_best_option, robust_after_option, screenshot_option,
                     screenshot_at_option, latency_option});
  parser.process(app);

  convexnn::ui::MainWindow window;
  if (parser.isSet(session_option)) {
    window.openSession(parser.value(session_option));
  } else if (parser.isSet(csv_option)) {
    window.openCsv(parser.value(csv_option));
  } else if (parser.isSet(dataset_option) || parser.isSet(samples_option)) {
    convexnn::GeneratorSettings settings = window.datasetPanel()->generatorSettings();
    settings.name = parser.value(dataset_option).toStdString();
    settings.n = parser.value(samples_option).toInt();
    for (const auto& info : convexnn::dataset_generators()) {
      if (info.name == settings.name) settings.noise = info.default_noise;
    }
    window.datasetPanel()->setGeneratorSettings(settings);
    window.generateDataset(settings);
  }
  if (parser.isSet(activation_option) || parser.isSet(solver_option) || parser.isSet(grow_option) ||
      parser.isSet(slide_option)) {
    try {
      convexnn::TrainingConfig config = window.modelPanel()->config();
      if (parser.isSet(activation_option)) {
        config.activation.kind =
            convexnn::parse_activation_kind(parser.value(activation_option).toStdString());
      }
      if (parser.isSet(leaky_slope_option)) {
        config.activation.leaky_slope = parser.value(leaky_slope_option).toDouble();
      } else if (config.activation.kind == convexnn::ActivationKind::kLeakyRelu) {
        config.activation.leaky_slope = 0.1;
      }
      if (config.activation.kind == convexnn::ActivationKind::kPolynomial) {
        const QStringList parts = parser.isSet(poly_option)
                                      ? parser.value(poly_option).split(QLatin1Char(','))
                                      : QStringList{"0.09", "0.5", "0.47"};
        if (parts.size() != 3) throw convexnn::InputError("--poly needs three numbers a,b,c");
        config.activation.a = parts[0].toDouble();
        config.activation.b = parts[1].toDouble();
        config.activation.c = parts[2].toDouble();
      }
      if (parser.isSet(solver_option)) {
        config.solver =
            convexnn::solver_kind_from_string(parser.value(solver_option).toStdString());
      }
      if (parser.isSet(grow_option)) config.generate_patterns = true;
      // Any positive count ticks the panel's box, which then applies its own iteration count.
      if (parser.isSet(slide_option)) config.pattern_generation.final_slide_iterations = 1;
      window.modelPanel()->setConfig(config);
      window.applyModelSettings();
    } catch (const std::exception& error) {
      std::fprintf(stderr, "convexnn-studio: %s\n", error.what());
      return 2;
    }
  }
  if (parser.isSet(neurons_option)) window.boundaryPanel()->setShowNeurons(true);
  if (parser.isSet(epsilon_option)) {
    window.modelPanel()->setEpsilon(parser.value(epsilon_option).toDouble());
  }
  if (parser.isSet(boxes_option)) window.boundaryPanel()->setShowBoxes(true);
  window.show();

  const bool scripted = parser.isSet(screenshot_option) || parser.isSet(latency_option);
  if (scripted)
    window.setErrorHandler([](const QString& title, const QString& message) {
      std::fprintf(stderr, "%s: %s\n", qPrintable(title), qPrintable(message));
    });
  if (parser.isSet(run_option) || scripted) {
    QTimer::singleShot(300, &window, [&window] {
      window.applyModelSettings();
      window.controller()->run();
    });
  }

  const bool compare = parser.isSet(compare_option);
  const bool certify_best = compare && parser.isSet(certify_best_option);
  if (certify_best) {
    QObject::connect(window.baselinePanel(), &convexnn::ui::BaselinePanel::finished, &window,
                     [&window] { window.baselinePanel()->certifyBestSeed(); });
  }
  if (compare) {
    window.baselinePanel()->setOptions(parser.value(compare_option).toInt(),
                                       convexnn::NonconvexOptimizer::kAdam, 2000);
    QObject::connect(window.controller(), &convexnn::ui::TrainingController::finished, &window,
                     [&window] {
                       window.showBaselinePanel();
                       window.baselinePanel()->run();
                     });
  }
  const bool robust_after = parser.isSet(robust_after_option);
  if (robust_after) {
    QObject::connect(window.controller(), &convexnn::ui::TrainingController::finished, &window,
                     [&window] {
                       if (window.controller()->lastResultConfig().epsilon > 0) return;
                       window.boundaryPanel()->setPinned(true);
                       convexnn::TrainingConfig config = window.modelPanel()->config();
                       config.epsilon = window.modelPanel()->epsilon();
                       window.modelPanel()->setConfig(config);
                       window.applyModelSettings();
                       window.controller()->run();
                     });
  }
  int exit_code = 0;
  if (parser.isSet(screenshot_option)) {
    const QString path = parser.value(screenshot_option);
    const QString when = parser.value(screenshot_at_option);
    if (when == QStringLiteral("converged")) {
      const int required = robust_after ? 2 : 1;  // finished runs before the shot
      auto finishes = std::make_shared<int>(0);
      const auto connect_done = [&](auto* sender, auto signal) {
        QObject::connect(sender, signal, &window, [&window, path, &exit_code, finishes, required] {
          if (++*finishes < required) return;
          QTimer::singleShot(400, &window, [&window, path, &exit_code] {
            exit_code = save_screenshot(&window, path) ? 0 : 1;
            QApplication::quit();
          });
        });
      };
      // A failure (reported on stderr by the error handler) ends a scripted run instead of
      // leaving it waiting for a finish that never comes.
      const auto quit_failed = [&exit_code] {
        exit_code = 1;
        QApplication::quit();
      };
      QObject::connect(window.controller(), &convexnn::ui::TrainingController::failed, &window,
                       quit_failed);
      QObject::connect(window.baselinePanel(), &convexnn::ui::BaselinePanel::failed, &window,
                       quit_failed);
      if (certify_best) {
        connect_done(window.baselinePanel(), &convexnn::ui::BaselinePanel::certified);
      } else if (compare) {
        connect_done(window.baselinePanel(), &convexnn::ui::BaselinePanel::finished);
      } else {
        connect_done(window.controller(), &convexnn::ui::TrainingController::finished);
      }
    } else {
      QTimer::singleShot(300 + when.toInt(), &window, [&window, path, &exit_code] {
        exit_code = save_screenshot(&window, path) ? 0 : 1;
        QApplication::quit();
      });
    }
  }
  convexnn::ui::EventLoopLatencyProbe probe;
  if (parser.isSet(latency_option)) {
    const int milliseconds = static_cast<int>(parser.value(latency_option).toDouble() * 1000);
    QTimer::singleShot(300, &probe, [&probe] { probe.start(); });
    QTimer::singleShot(300 + milliseconds, &window, [&window, &probe] {
      probe.stop();
      const auto& history = window.controller()->history();
      std::printf(
          "event-loop lateness over %zu ticks of a 5 ms timer while training: p50 %.2f ms, "
          "p99 %.2f ms, max %.2f ms; solver iterations %lld, state %s\n",
          probe.samples(), probe.latenessQuantile(0.5), probe.latenessQuantile(0.99),
          probe.maxLateness(),
          history.empty() ? 0LL : static_cast<long long>(history.last().iteration),
          window.controller()->state() == convexnn::ui::TrainingController::State::kIdle
              ? "finished"
              : "running");
      QApplication::quit();
    });
  }
  const int code = QApplication::exec();
  return exit_code != 0 ? exit_code : code;
}
