// The session file format: round trips and errors that name the field.
#include <QTest>

#include "convexnn/errors.h"
#include "convexnn/generators.h"
#include "session_file.h"

using convexnn::InputError;
using convexnn::ui::Session;
using convexnn::ui::session_from_json;
using convexnn::ui::session_to_json;

class SessionFileTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void generatorSessionRoundTrips() {
    Session session;
    session.generator = convexnn::GeneratorSettings{"spiral", 123, 0.25, 42};
    session.split = {0.3, 9};
    session.config.loss = convexnn::LossKind::kLogistic;
    session.config.beta = 0.0123;
    session.config.pattern_samples = 77;
    session.config.admm.penalty_mode = convexnn::PenaltyMode::kFixed;
    session.config.admm.rho = 3.5;
    const Session back = session_from_json(session_to_json(session), "s.json");
    QVERIFY(back.generator.has_value());
    QCOMPARE(back.generator->name, std::string("spiral"));
    QCOMPARE(back.generator->n, 123);
    QCOMPARE(back.generator->noise, 0.25);
    QCOMPARE(back.generator->seed, std::uint64_t{42});
    QCOMPARE(back.split.test_fraction, 0.3);
    QCOMPARE(back.config.loss, convexnn::LossKind::kLogistic);
    QCOMPARE(back.config.beta, 0.0123);
    QCOMPARE(back.config.pattern_samples, 77);
    QCOMPARE(back.config.admm.penalty_mode, convexnn::PenaltyMode::kFixed);
    QCOMPARE(back.config.admm.rho, 3.5);
    QVERIFY(!back.model.has_value());
  }

  void loadedDataRoundTripsExactly() {
    Session session;
    convexnn::Dataset data = convexnn::generate_dataset({"moons", 30, 0.2, 5});
    data.label_mapping = {0.0, 7.0};
    data.feature_names = {"width", "height"};
    session.loaded_data = data;
    const Session back = session_from_json(session_to_json(session), "s.json");
    QVERIFY(back.loaded_data.has_value());
    QVERIFY(back.loaded_data->X == data.X);  // bit-exact: JSON keeps 17 significant digits
    QVERIFY(back.loaded_data->y == data.y);
    QCOMPARE(back.loaded_data->label_mapping.positive_value, 7.0);
    QCOMPARE(back.loaded_data->feature_names[1], std::string("height"));
  }

  void errorsNameTheField() {
    Session session;
    session.generator = convexnn::GeneratorSettings{};
    std::string text = session_to_json(session);
    const auto expect_error = [](const std::string& json, const QString& needle) {
      try {
        session_from_json(json, "broken.json");
        QFAIL("no error");
      } catch (const InputError& error) {
        const QString message = QString::fromStdString(error.what());
        QVERIFY2(message.contains(QStringLiteral("broken.json")), qPrintable(message));
        QVERIFY2(message.contains(needle), qPrintable(message));
      }
    };
    expect_error("{not json", QStringLiteral("not valid JSON"));
    expect_error(R"({"format": "other"})", QStringLiteral("format"));
    std::string bad_beta = text;
    bad_beta.replace(bad_beta.find("\"beta\""), 6, "\"beta_\"");
    expect_error(bad_beta, QStringLiteral("training.beta"));
    std::string bad_loss = text;
    bad_loss.replace(bad_loss.find("\"squared\""), 9, "\"cubic\"");
    expect_error(bad_loss, QStringLiteral("cubic"));
  }

  void activationAndSolverRoundTrip() {
    Session session;
    session.generator = convexnn::GeneratorSettings{"moons", 40, 0.1, 1};
    session.config.activation = convexnn::Activation::leaky_relu(0.23);
    session.config.solver = convexnn::SolverKind::kGated;
    Session back = session_from_json(session_to_json(session), "s.json");
    QCOMPARE(back.config.activation.kind, convexnn::ActivationKind::kLeakyRelu);
    QCOMPARE(back.config.activation.leaky_slope, 0.23);
    QCOMPARE(back.config.solver, convexnn::SolverKind::kGated);

    session.config.activation = convexnn::Activation::absolute();
    session.config.solver = convexnn::SolverKind::kAugmentedLagrangian;
    back = session_from_json(session_to_json(session), "s.json");
    QCOMPARE(back.config.activation.kind, convexnn::ActivationKind::kAbsolute);
    QCOMPARE(back.config.solver, convexnn::SolverKind::kAugmentedLagrangian);
  }

  void polynomialCoefficientsAreWrittenAndRead() {
    Session session;
    session.generator = convexnn::GeneratorSettings{"moons", 40, 0.1, 1};
    session.config.activation = convexnn::Activation::polynomial(0.09, 0.5, 0.47);
    const std::string text = session_to_json(session);
    const QString json = QString::fromStdString(text);
    QVERIFY2(json.contains(QStringLiteral("\"poly2\"")), qPrintable(json));
    QVERIFY2(json.contains(QStringLiteral("0.47")), qPrintable(json));
    const Session back = session_from_json(text, "s.json");
    QCOMPARE(back.config.activation, session.config.activation);
  }

  void oldSessionWithoutActivationOrSolverLoadsAsReluAdmm() {
    // A session written before the activation and solver choices existed.
    const std::string old = R"({
 "format": "convexnn.session", "version": 1,
 "generator": {"name": "moons", "n": 40, "noise": 0.1, "seed": 1},
 "split": {"test_fraction": 0.25, "seed": 1},
 "training": {"formulation": "exact", "loss": "squared", "patterns": 200, "pattern_seed": 1,
              "beta": 0.1, "standardize": false, "rho": 1.0, "rho_mode": "auto",
              "max_iterations": 20000, "tolerance": 1e-06}
})";
    const Session back = session_from_json(old, "old.json");
    QCOMPARE(back.config.activation, convexnn::Activation::relu());
    QCOMPARE(back.config.solver, convexnn::SolverKind::kAdmm);
    QCOMPARE(back.config.beta, 0.1);
    // Nor SCP features or pattern growing: the defaults.
    QCOMPARE(back.config.random_features.features, convexnn::RandomFeatureOptions{}.features);
    QVERIFY(!back.config.generate_patterns);
    QCOMPARE(back.config.pattern_generation.batch_size,
             convexnn::PatternGenerationOptions{}.batch_size);
    QCOMPARE(back.config.pattern_generation.final_slide_iterations, 0);
  }

  void scpFeaturesAndPatternGrowingRoundTrip() {
    Session session;
    session.generator = convexnn::GeneratorSettings{"moons", 40, 0.1, 1};
    session.config.seed = 5;
    session.config.solver = convexnn::SolverKind::kRandomFeatures;
    session.config.random_features.features = 345;
    session.config.set_stopping_rule(4321, 1e-5, 0.0);
    Session back = session_from_json(session_to_json(session), "s.json");
    QCOMPARE(back.config.solver, convexnn::SolverKind::kRandomFeatures);
    QCOMPARE(back.config.random_features.features, 345);
    QCOMPARE(back.config.random_features.seed, std::uint64_t{5});  // the pattern seed
    QCOMPARE(back.config.random_features.rfista.max_iterations, std::int64_t{4321});
    QCOMPARE(back.config.random_features.relative_gap_tolerance, 1e-5);

    session.config.solver = convexnn::SolverKind::kAdmm;
    session.config.pattern_mode = convexnn::PatternMode::kSampled;
    session.config.generate_patterns = true;
    session.config.pattern_generation.batch_size = 33;
    session.config.pattern_generation.max_rounds = 0;
    back = session_from_json(session_to_json(session), "s.json");
    QVERIFY(back.config.generate_patterns);
    QCOMPARE(back.config.pattern_generation.batch_size, 33);
    QCOMPARE(back.config.pattern_generation.max_rounds, 0);
    QCOMPARE(back.config.solver, convexnn::SolverKind::kAdmm);
    session.config.pattern_generation.final_slide_iterations = 1000;
    back = session_from_json(session_to_json(session), "s.json");
    QCOMPARE(back.config.pattern_generation.final_slide_iterations, 1000);
  }

  void badFeaturesOrGrowingNameTheField() {
    Session session;
    session.generator = convexnn::GeneratorSettings{};
    session.config.pattern_mode = convexnn::PatternMode::kSampled;
    const std::string text = session_to_json(session);
    const auto expect_error = [](std::string json, const std::string& from, const std::string& to,
                                 const QString& needle) {
      const auto at = json.find(from);
      QVERIFY2(at != std::string::npos, from.c_str());
      json.replace(at, from.size(), to);
      try {
        session_from_json(json, "broken.json");
        QFAIL("no error");
      } catch (const InputError& error) {
        const QString message = QString::fromStdString(error.what());
        QVERIFY2(message.contains(needle), qPrintable(message));
      }
    };
    expect_error(text, "\"features\": 500", "\"features\": 0", QStringLiteral("training.features"));
    expect_error(text, "\"features\": 500", "\"features\": 1e30",
                 QStringLiteral("training.features"));
    expect_error(text, "\"generate_patterns\": false", "\"generate_patterns\": 1",
                 QStringLiteral("training.generate_patterns"));
    expect_error(text, "\"batch_size\": 200", "\"batch_size\": -3",
                 QStringLiteral("training.pattern_generation.batch_size"));
    // Growing with exact patterns is rejected by the core's validation, by name.
    std::string exact = text;
    exact.replace(exact.find("\"sampled\""), 9, "\"exact\"");
    expect_error(exact, "\"generate_patterns\": false", "\"generate_patterns\": true",
                 QStringLiteral("generate_patterns"));
  }

  void badActivationOrSolverNamesTheField() {
    Session session;
    session.generator = convexnn::GeneratorSettings{};
    session.config.activation = convexnn::Activation::leaky_relu(0.1);
    const std::string text = session_to_json(session);
    const auto expect_error = [](std::string json, const std::string& from, const std::string& to,
                                 const QString& needle) {
      json.replace(json.find(from), from.size(), to);
      try {
        session_from_json(json, "broken.json");
        QFAIL("no error");
      } catch (const InputError& error) {
        const QString message = QString::fromStdString(error.what());
        QVERIFY2(message.contains(needle), qPrintable(message));
      }
    };
    expect_error(text, "\"leaky-relu\"", "\"sigmoid\"", QStringLiteral("training.activation"));
    expect_error(text, "\"admm\"", "\"sgd\"", QStringLiteral("training.solver"));
    expect_error(text, "\"leaky_slope\"", "\"slope\"", QStringLiteral("training.leaky_slope"));
    expect_error(text, "\"solver\": \"admm\"", "\"solver\": 3", QStringLiteral("training.solver"));
  }
};

QTEST_MAIN(SessionFileTest)
#include "test_session_file.moc"
