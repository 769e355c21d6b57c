@_spi(Reflection) import Swift
@testable import PetalMonitor
import Testing

/// Every view model's key-path table names exactly its stored properties, so a field added to a
/// view cannot silently render empty.
@Suite("Mustache views")
struct MustacheViewTests {
    static let views: [ViewType] = [
        Layout.self, Pagination.self, WorkerRow.self, Totals.self, TaskRow.self,
        DashboardController.Page.self, DashboardController.Column.self,
        TasksController.Page.self, TasksController.Choice.self, TasksController.Column.self,
        TaskController.Page.self, TaskController.Field.self, TaskController.Step.self, TaskController.Link.self,
        WorkerController.Page.self, WorkerController.Child.self, WorkerController.TaskCount.self,
        WorkerController.ActiveJob.self, WorkerController.ScheduledJob.self, WorkerController.Limit.self,
        QueuesController.Page.self, QueuesController.Row.self, QueuesController.Consumer.self, QueuesController.ConfirmPage.self,
        ProcessesController.Page.self, ProcessesController.TypeRow.self, RunnerConnection.Process.self,
        ErrorPage.self,
    ].map { ViewType($0) }

    @Test(arguments: views)
    func keysMatchStoredProperties(_ view: ViewType) {
        #expect(Set(view.stored) == Set(view.keys), "\(view.name)")
    }

    struct ViewType: CustomTestStringConvertible, Sendable {
        let name: String
        let keys: [String]
        let stored: [String]
        init(_ type: any MustacheView.Type) {
            name = "\(type)"
            keys = type.mustacheKeyNames
            var stored: [String] = []
            _ = _forEachField(of: type, options: []) { field, _, _, _ in
                stored.append(String(cString: field))
                return true
            }
            self.stored = stored
        }
        var testDescription: String { name }
    }
}
